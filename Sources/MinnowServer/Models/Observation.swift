import Fluent
import Foundation

/// What a device reported: the board's raw int8 output, with the labels and scores the
/// installed model gives it, the time on the device's side and on the server's.
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

    init() {}

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
