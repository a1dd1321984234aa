import FluentKit
import Foundation

/// Content-addressed bytes: the id is the SHA-256 of the content. See `BlobStore`.
package final class Blob: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "blobs"

    @ID(custom: .id, generatedBy: .user) package var id: String?
    @Field(key: "size") package var size: Int64
    @Field(key: "content") package var content: Data
    @Field(key: "touched_at") package var touchedAt: Date

    package init() {}

    package init(hash: String, content: Data, touchedAt: Date) {
        self.id = hash
        self.size = Int64(content.count)
        self.content = content
        self.touchedAt = touchedAt
    }
}
