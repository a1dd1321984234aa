import Fluent
import Foundation

/// What a device reported: a board's raw int8 output, with the labels and scores the
/// installed model gives it, or a camera's frame as its deployment read it (with the objects
/// found, and the frame while retention keeps it); the time on the device's side and on the server's.
final class Observation: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "observations"

    // managed
    @ID(key: .id) var id: UUID?

    // references
    @Parent(key: "project_id") var project: Project
    @Parent(key: "device_id") var device: Device
    @OptionalParent(key: "iteration_id") var iteration: Iteration?

    // data
    @OptionalField(key: "label") var label: String?
    /// JSON of `[StoredLabelScore]`, best first.
    @Field(key: "scores") var scoresJSON: String
    /// JSON of the board's raw int8 output, `[Int]`.
    @Field(key: "output") var outputJSON: String
    @OptionalField(key: "ticks") var ticks: Int?
    @OptionalField(key: "input_sha256") var inputSHA256: String?
    /// The dataset image a check input came from, and whether the board's output equalled the server's.
    @OptionalField(key: "image_id") var imageID: UUID?
    @OptionalField(key: "matches_cloud") var matchesCloud: Bool?
    @OptionalField(key: "observed_at") var observedAt: Date?
    @Field(key: "received_at") var receivedAt: Date
    /// Cameras: JSON of `[StoredDetection]`, best first (detection projects).
    @OptionalField(key: "detections") var detectionsJSON: String?
    @Field(key: "frame_status") var frameStatus: FrameStatus
    @OptionalField(key: "frame_blob_id") var frameBlobID: String?
    @Field(key: "frame_bytes") var frameBytes: Int64
    @OptionalField(key: "frame_width") var frameWidth: Int?
    @OptionalField(key: "frame_height") var frameHeight: Int?

    init() {
        frameStatus = .absent
        frameBytes = 0
    }

    var detections: [StoredDetection] {
        get { detectionsJSON.flatMap { try? JSONText.decode([StoredDetection].self, from: $0) } ?? [] }
        set { detectionsJSON = newValue.isEmpty ? nil : try? JSONText.encode(newValue) }
    }

    var scores: [StoredLabelScore] {
        get { (try? JSONText.decode([StoredLabelScore].self, from: scoresJSON)) ?? [] }
        set { scoresJSON = (try? JSONText.encode(newValue)) ?? "[]" }
    }

    var output: [Int] {
        get { (try? JSONText.decode([Int].self, from: outputJSON)) ?? [] }
        set { outputJSON = (try? JSONText.encode(newValue)) ?? "[]" }
    }
}

/// A label's score as stored (not the API's wire type).
struct StoredLabelScore: Codable, Sendable, Equatable {
    var label: String
    var score: Double
}

/// A detected object as stored: its centre as fractions of the frame.
struct StoredDetection: Codable, Sendable, Equatable {
    var label: String
    var x: Double
    var y: Double
    var score: Double
}

/// What retention did with a camera's frame (board observations have none).
enum FrameStatus: String, Codable, Sendable, CaseIterable {
    case stored, similar, expired
    case absent = "none"
    case noDetection = "no-detection"
}
