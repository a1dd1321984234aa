import Fluent
import Foundation

/// One label seen by a camera: an object detected in a frame (with its centre and the size of
/// the model's output cell) or a frame's best label (classification). The search index for
/// "where and when was it seen"; deleted with its observation.
final class Sighting: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "sightings"

    // managed
    @ID(key: .id) var id: UUID?

    // references
    @Parent(key: "project_id") var project: Project
    @Parent(key: "device_id") var device: Device
    @Parent(key: "observation_id") var observation: Observation

    // data
    @Field(key: "label") var label: String
    @Field(key: "score") var score: Double
    @OptionalField(key: "x") var x: Double?
    @OptionalField(key: "y") var y: Double?
    @OptionalField(key: "width") var width: Double?
    @OptionalField(key: "height") var height: Double?
    /// The camera's capture time when it sent one, else `receivedAt`: microseconds since 1970
    /// (an integer compares exactly, so a page of results can resume at a row).
    @Field(key: "seen_at") var seenAtMicroseconds: Int64
    @Field(key: "received_at") var receivedAt: Date

    init() {}
}

extension Sighting {
    var seenAt: Date {
        get { Date(timeIntervalSince1970: Double(seenAtMicroseconds) / 1_000_000) }
        set { seenAtMicroseconds = Self.microseconds(newValue) }
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
