// Size limits for bodies that are not small JSON documents.
enum Limits {
    /// One multipart upload request (many images).
    static let uploadBytes = 512 << 20
    /// One zip archive to import.
    static let importArchiveBytes = 2 << 30
    /// Files in one upload request.
    static let filesPerUpload = 2_000

    static let perOperation: [String: Int] = [
        "uploadImages": uploadBytes,
        "importImages": importArchiveBytes,
    ]
}
