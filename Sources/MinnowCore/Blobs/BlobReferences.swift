// Every column that names a blob. A table that stores blob ids registers its column here,
// or garbage collection will delete its blobs.
package enum BlobReferences {
    package static let all: [BlobReference] = [
        BlobReference(table: "images", column: "blob_id"),
        BlobReference(table: "images", column: "thumbnail_blob_id"),
        BlobReference(table: "iteration_images", column: "blob_id"),
        BlobReference(table: "iterations", column: "checkpoint_blob_id"),
        BlobReference(table: "iterations", column: "tflite_blob_id"),
        BlobReference(table: "jobs", column: "input_blob_id"),
        BlobReference(table: "device_installs", column: "firmware_blob_id"),
        BlobReference(table: "observations", column: "frame_blob_id"),
    ]
}
