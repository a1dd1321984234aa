// Size limits for bodies that are not small JSON documents.
enum Limits {
    /// One multipart upload request (many images).
    static let uploadBytes = 512 << 20
    /// One zip archive to import.
    static let importArchiveBytes = 2 << 30
    /// Files in one upload request.
    static let filesPerUpload = 2_000

    /// One image sent for a prediction or a quick test.
    static let predictionBytes = 16 << 20
    /// Images in one prediction request, and the request as a whole.
    static let imagesPerPrediction = 64
    static let predictionRequestBytes = 64 << 20
    /// One camera frame.
    static let frameBytes = 16 << 20
    /// A zip of labelled images to evaluate an iteration on (kept in the database while the job lives).
    static let evaluationArchiveBytes = 512 << 20

    static let perOperation: [String: Int] = [
        "uploadImages": uploadBytes,
        "importImages": importArchiveBytes,
        "predict": predictionRequestBytes,
        "quickTestIteration": predictionBytes,
        "ingestFrame": frameBytes,
        "evaluateIteration": evaluationArchiveBytes,
    ]
}
