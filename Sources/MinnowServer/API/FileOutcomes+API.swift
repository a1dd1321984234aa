// The API edge of what happened to each file added to a dataset: an upload's report, and each
// file's outcome in it and in an import job's report (`StoredRecords+API.swift`).
import APITypes
import MinnowCore

extension Components.Schemas.FileOutcome {
    init(_ f: MinnowCore.FileOutcome) {
        self.init(fileName: f.fileName, status: .init(f.status), imageId: f.imageId, reason: f.reason)
    }
}

extension Components.Schemas.UploadReport {
    init(_ files: [MinnowCore.FileOutcome]) {
        self.init(
            accepted: files.count(.accepted), duplicates: files.count(.duplicate), rejected: files.count(.rejected),
            files: files.map(Components.Schemas.FileOutcome.init))
    }
}
