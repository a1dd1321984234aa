import FluentKit
import Foundation
import Imaging
import NeuralNet

// Fluent models are reference types with property wrappers.
/// A project: one task (classification or detection) and the default model input.
package final class Project: FluentKit.Model, @unchecked Sendable {
    package static let schema = "projects"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // references
    @Parent(key: "owner_id") package var owner: User

    // data
    @Field(key: "name") package var name: String
    @Field(key: "description") package var description: String
    @Field(key: "task") package var task: ModelTask
    @Field(key: "input_width") package var inputWidth: Int
    @Field(key: "input_height") package var inputHeight: Int
    @Field(key: "color_mode") package var colorMode: ColorMode
    // camera frame retention
    @Field(key: "frame_days") package var frameDays: Int
    @Field(key: "frames_only_with_detections") package var framesOnlyWithDetections: Bool
    @Field(key: "similar_frame_distance") package var similarFrameDistance: Int
    @Field(key: "max_frame_bytes") package var maxFrameBytes: Int64

    package init() {}

    package init(
        ownerID: UUID, name: String, description: String, task: ModelTask, inputWidth: Int, inputHeight: Int,
        colorMode: ColorMode
    ) {
        self.$owner.id = ownerID
        self.name = name
        self.description = description
        self.task = task
        self.inputWidth = inputWidth
        self.inputHeight = inputHeight
        self.colorMode = colorMode
        self.frameDays = 30
        self.framesOnlyWithDetections = false
        self.similarFrameDistance = 0
        self.maxFrameBytes = 0
    }
}
