import FluentKit
import Foundation

// Fluent models are reference types with property wrappers.
/// What a device reported: a board's raw int8 output, with the labels and scores the
/// installed model gives it, or a camera's frame as its deployment read it (with the objects
/// found, and the frame while retention keeps it); the time on the device's side and on the server's.
package final class Observation: Model, @unchecked Sendable {
    package static let schema = "observations"

    // managed
    @ID(key: .id) package var id: UUID?

    // references
    @Parent(key: "project_id") package var project: Project
    @Parent(key: "device_id") package var device: Device
    @OptionalParent(key: "iteration_id") package var iteration: Iteration?

    // data
    @OptionalField(key: "label") package var label: String?
    /// JSON of `[StoredLabelScore]`, best first.
    @Field(key: "scores") package var scoresJSON: String
    /// JSON of the board's raw int8 output, `[Int]`.
    @Field(key: "output") package var outputJSON: String
    @OptionalField(key: "ticks") package var ticks: Int?
    @OptionalField(key: "input_sha256") package var inputSHA256: String?
    /// The dataset image a check input came from, and whether the board's output equalled the server's.
    @OptionalField(key: "image_id") package var imageID: UUID?
    @OptionalField(key: "matches_cloud") package var matchesCloud: Bool?
    @OptionalField(key: "observed_at") package var observedAt: Date?
    @Field(key: "received_at") package var receivedAt: Date
    /// Cameras: JSON of `[StoredDetection]`, best first (detection projects).
    @OptionalField(key: "detections") package var detectionsJSON: String?
    @Field(key: "frame_status") package var frameStatus: FrameStatus
    @OptionalField(key: "frame_blob_id") package var frameBlobID: String?
    @Field(key: "frame_bytes") package var frameBytes: Int64
    @OptionalField(key: "frame_width") package var frameWidth: Int?
    @OptionalField(key: "frame_height") package var frameHeight: Int?

    package init() {
        frameStatus = .absent
        frameBytes = 0
    }

    package var detections: [StoredDetection] {
        get { detectionsJSON.flatMap { try? JSONText.decode([StoredDetection].self, from: $0) } ?? [] }
        set { detectionsJSON = newValue.isEmpty ? nil : try? JSONText.encode(newValue) }
    }

    package var scores: [StoredLabelScore] {
        get { (try? JSONText.decode([StoredLabelScore].self, from: scoresJSON)) ?? [] }
        set { scoresJSON = (try? JSONText.encode(newValue)) ?? "[]" }
    }

    package var output: [Int] {
        get { (try? JSONText.decode([Int].self, from: outputJSON)) ?? [] }
        set { outputJSON = (try? JSONText.encode(newValue)) ?? "[]" }
    }
}

/// A label's score as stored (not the API's wire type).
package struct StoredLabelScore: Codable, Sendable, Equatable {
    package var label: String
    package var score: Double

    package init(label: String, score: Double) {
        self.label = label
        self.score = score
    }
}

/// A detected object as stored: its centre as fractions of the frame.
package struct StoredDetection: Codable, Sendable, Equatable {
    package var label: String
    package var x: Double
    package var y: Double
    package var score: Double

    package init(label: String, x: Double, y: Double, score: Double) {
        self.label = label
        self.x = x
        self.y = y
        self.score = score
    }
}

/// What retention did with a camera's frame (board observations have none).
package enum FrameStatus: String, Codable, Sendable, CaseIterable {
    case stored, similar, expired
    case absent = "none"
    case noDetection = "no-detection"
}
