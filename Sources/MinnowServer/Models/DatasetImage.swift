import Fluent
import Foundation

/// One image in a project's dataset. The bytes live in the blob store (original and
/// thumbnail); this row holds what is known about them and how they are labelled.
final class DatasetImage: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "images"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // references
    @Parent(key: "project_id") var project: Project
    /// SHA-256 of the original file; unique per project, so duplicates are refused.
    @Field(key: "blob_id") var blobID: String
    @Field(key: "thumbnail_blob_id") var thumbnailBlobID: String
    @Children(for: \.$image) var boxes: [Box]

    // data
    @Field(key: "file_name") var fileName: String
    @Field(key: "width") var width: Int
    @Field(key: "height") var height: Int
    @Field(key: "color_mode") var colorMode: String
    @Field(key: "format") var format: String
    @Field(key: "size") var size: Int
    @OptionalField(key: "label") var label: String?
    /// `train` or `test`; when `splitAutomatic`, derived from the content hash.
    @Field(key: "split") var split: String
    @Field(key: "split_automatic") var splitAutomatic: Bool
    @Field(key: "source") var source: String
    /// Perceptual hash (64-bit difference hash, stored as its bit pattern) for near-duplicates.
    @Field(key: "difference_hash") var differenceHash: Int64

    init() {}
}

/// A labelled box on an image (detection projects); coordinates are fractions of the image size.
final class Box: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "boxes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "image_id") var image: DatasetImage
    @Field(key: "label") var label: String
    @Field(key: "x") var x: Double
    @Field(key: "y") var y: Double
    @Field(key: "width") var width: Double
    @Field(key: "height") var height: Double

    init() {}

    init(imageID: UUID, label: String, x: Double, y: Double, width: Double, height: Double) {
        self.$image.id = imageID
        self.label = label
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}
