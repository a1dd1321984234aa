import FluentKit
import Foundation

/// One label seen by a camera: an object detected in a frame (with its centre and the size of
/// the model's output cell) or a frame's best label (classification). The search index for
/// "where and when was it seen"; deleted with its observation.
package final class Sighting: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "sightings"

    // managed
    @ID(key: .id) package var id: UUID?

    // references
    @Parent(key: "project_id") package var project: Project
    @Parent(key: "device_id") package var device: Device
    @Parent(key: "observation_id") package var observation: Observation

    // data
    @Field(key: "label") package var label: String
    @Field(key: "score") package var score: Double
    @OptionalField(key: "x") package var x: Double?
    @OptionalField(key: "y") package var y: Double?
    @OptionalField(key: "width") package var width: Double?
    @OptionalField(key: "height") package var height: Double?
    /// The camera's capture time when it sent one, else `receivedAt`: microseconds since 1970
    /// (an integer compares exactly, so a page of results can resume at a row).
    @Field(key: "seen_at") package var seenAtMicroseconds: Int64
    @Field(key: "received_at") package var receivedAt: Date

    package init() {}
}

extension Sighting {
    package var seenAt: Date {
        get { Date(timeIntervalSince1970: Double(seenAtMicroseconds) / 1_000_000) }
        set { seenAtMicroseconds = Self.microseconds(newValue) }
    }

    package static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
