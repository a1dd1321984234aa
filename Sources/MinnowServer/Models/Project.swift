import Fluent
import Foundation

/// A project: one task (classification or detection) and the default model input.
final class Project: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "projects"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // references
    @Parent(key: "owner_id") var owner: User

    // data
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "task") var task: String
    @Field(key: "input_width") var inputWidth: Int
    @Field(key: "input_height") var inputHeight: Int
    @Field(key: "color_mode") var colorMode: String
    // camera frame retention
    @Field(key: "frame_days") var frameDays: Int
    @Field(key: "frames_only_with_detections") var framesOnlyWithDetections: Bool
    @Field(key: "similar_frame_distance") var similarFrameDistance: Int
    @Field(key: "max_frame_bytes") var maxFrameBytes: Int64

    init() {}

    init(ownerID: UUID, name: String, description: String, task: String, inputWidth: Int, inputHeight: Int, colorMode: String) {
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
