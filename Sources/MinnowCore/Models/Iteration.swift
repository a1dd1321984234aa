import FluentKit
import Foundation

// Fluent models are reference types with property wrappers.
/// One training run of a project: the configuration it ran with, the frozen snapshot of
/// the dataset (`IterationImage` rows), its status, and once trained its results, model
/// card and artifacts (checkpoint and int8 `.tflite` blobs; C and Arduino libraries are
/// generated from the `.tflite` on request).
package final class Iteration: Model, @unchecked Sendable {
    package static let schema = "iterations"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // references
    @Parent(key: "project_id") package var project: Project
    @OptionalField(key: "checkpoint_blob_id") package var checkpointBlobID: String?
    @OptionalField(key: "tflite_blob_id") package var tfliteBlobID: String?

    // data
    @Field(key: "number") package var number: Int
    @OptionalField(key: "note") package var note: String?
    @Field(key: "status") package var status: JobStatus
    /// JSON of `StoredTrainingConfiguration`.
    @Field(key: "configuration") package var configuration: String
    /// JSON of `StoredDatasetSummary`.
    @Field(key: "dataset_summary") package var datasetSummary: String
    /// JSON of the latest `StoredTrainingProgress`.
    @OptionalField(key: "progress") package var progress: String?
    /// JSON of `StoredIterationResults`.
    @OptionalField(key: "results") package var results: String?
    /// JSON of `StoredModelCard`.
    @OptionalField(key: "model_card") package var modelCard: String?
    @OptionalField(key: "error") package var error: String?
    @OptionalField(key: "started_at") package var startedAt: Date?
    @OptionalField(key: "finished_at") package var finishedAt: Date?

    package init() {}

    package var isFinished: Bool { status.isFinished }
}

// Fluent models are reference types with property wrappers.
/// An image of an iteration's snapshot, as it was when the iteration was created.
package final class IterationImage: Model, @unchecked Sendable {
    package static let schema = "iteration_images"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "iteration_id") package var iteration: Iteration
    /// The dataset image it was taken from (which may since have been deleted).
    @Field(key: "image_id") package var imageID: UUID
    @Field(key: "blob_id") package var blobID: String
    @Field(key: "file_name") package var fileName: String
    @OptionalField(key: "label") package var label: String?
    /// JSON `[BoxSpec]` for detection projects.
    @OptionalField(key: "boxes") package var boxes: String?
    /// `train` or `test`.
    @Field(key: "split") package var split: ImageSplit

    package init() {}
}
