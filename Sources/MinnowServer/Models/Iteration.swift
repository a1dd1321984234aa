import Fluent
import Foundation

/// One training run of a project: the configuration it ran with, the frozen snapshot of
/// the dataset (`IterationImage` rows), its status, and once trained its results, model
/// card and artifacts (checkpoint and int8 `.tflite` blobs; C and Arduino libraries are
/// generated from the `.tflite` on request).
final class Iteration: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "iterations"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // references
    @Parent(key: "project_id") var project: Project
    @OptionalField(key: "checkpoint_blob_id") var checkpointBlobID: String?
    @OptionalField(key: "tflite_blob_id") var tfliteBlobID: String?

    // data
    @Field(key: "number") var number: Int
    @OptionalField(key: "note") var note: String?
    @Field(key: "status") var status: String
    /// JSON of `Components.Schemas.TrainingConfiguration`.
    @Field(key: "configuration") var configuration: String
    /// JSON of `Components.Schemas.DatasetSummary`.
    @Field(key: "dataset_summary") var datasetSummary: String
    /// JSON of the latest `Components.Schemas.TrainingProgress`.
    @OptionalField(key: "progress") var progress: String?
    /// JSON of `Components.Schemas.IterationResults`.
    @OptionalField(key: "results") var results: String?
    /// JSON of `Components.Schemas.ModelCard`.
    @OptionalField(key: "model_card") var modelCard: String?
    @OptionalField(key: "error") var error: String?
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    var isFinished: Bool { ["succeeded", "failed", "canceled"].contains(status) }
}

/// An image of an iteration's snapshot, as it was when the iteration was created.
final class IterationImage: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "iteration_images"

    @ID(key: .id) var id: UUID?
    @Parent(key: "iteration_id") var iteration: Iteration
    /// The dataset image it was taken from (which may since have been deleted).
    @Field(key: "image_id") var imageID: UUID
    @Field(key: "blob_id") var blobID: String
    @Field(key: "file_name") var fileName: String
    @OptionalField(key: "label") var label: String?
    /// JSON `[Components.Schemas.Box]` for detection projects.
    @OptionalField(key: "boxes") var boxes: String?
    /// `train` or `test`.
    @Field(key: "split") var split: String

    init() {}
}
