import FluentKit
import Foundation
import Imaging

// Fluent models are reference types with property wrappers.
/// One image in a project's dataset. The bytes live in the blob store (original and
/// thumbnail); this row holds what is known about them and how they are labelled.
package final class DatasetImage: Model, @unchecked Sendable {
    package static let schema = "images"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    // references
    @Parent(key: "project_id") package var project: Project
    /// SHA-256 of the original file; unique per project, so duplicates are refused.
    @Field(key: "blob_id") package var blobID: String
    @Field(key: "thumbnail_blob_id") package var thumbnailBlobID: String
    @Children(for: \.$image) package var boxes: [Box]

    // data
    @Field(key: "file_name") package var fileName: String
    @Field(key: "width") package var width: Int
    @Field(key: "height") package var height: Int
    @Field(key: "color_mode") package var colorMode: ColorMode
    @Field(key: "format") package var format: ImageFormat
    @Field(key: "size") package var size: Int
    @OptionalField(key: "label") package var label: String?
    /// `train` or `test`; when `splitAutomatic`, derived from the content hash.
    @Field(key: "split") package var split: ImageSplit
    @Field(key: "split_automatic") package var splitAutomatic: Bool
    @Field(key: "source") package var source: ImageSource
    /// Perceptual hash (64-bit difference hash, stored as its bit pattern) for near-duplicates.
    @Field(key: "difference_hash") package var differenceHash: Int64

    package init() {}
}

/// A labelled box on an image (detection projects); coordinates are fractions of the image size.
package final class Box: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "boxes"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "image_id") package var image: DatasetImage
    @Field(key: "label") package var label: String
    @Field(key: "x") package var x: Double
    @Field(key: "y") package var y: Double
    @Field(key: "width") package var width: Double
    @Field(key: "height") package var height: Double

    package init() {}

    package init(imageID: UUID, label: String, x: Double, y: Double, width: Double, height: Double) {
        self.$image.id = imageID
        self.label = label
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// The part of the dataset an image is in.
package enum ImageSplit: String, Codable, Sendable, CaseIterable {
    case train, test
}

/// Where to put an image: a split, or `auto`, the stable rule on its content hash (`setSplit`).
package enum SplitChoice: String, Codable, Sendable, CaseIterable {
    case train, test, auto

    /// The choice that puts an image in `split`.
    package init(_ split: ImageSplit) {
        self = split == .train ? .train : .test
    }
}

/// How an image came into the dataset.
package enum ImageSource: String, Codable, Sendable, CaseIterable {
    case upload, `import`, device
}
