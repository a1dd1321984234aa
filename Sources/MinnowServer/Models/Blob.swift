import Fluent
import Foundation

/// Content-addressed bytes: the id is the SHA-256 of the content. See `BlobStore`.
final class Blob: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "blobs"

    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "size") var size: Int64
    @Field(key: "content") var content: Data
    @Field(key: "touched_at") var touchedAt: Date

    init() {}

    init(hash: String, content: Data, touchedAt: Date) {
        self.id = hash
        self.size = Int64(content.count)
        self.content = content
        self.touchedAt = touchedAt
    }
}
