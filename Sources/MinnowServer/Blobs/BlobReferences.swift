// Every column that names a blob. A table that stores blob ids registers its column here,
// or garbage collection will delete its blobs.
enum BlobReferences {
    static let all: [BlobReference] = []
}
