// The stored forms of a job's JSON: its event log's payloads and its result (an import's or
// an evaluation's report). The server's own types, not the API's wire types, so renaming
// something in openapi.yaml never breaks stored rows; their keys are spelled out and are the
// ones rows written before these types existed carry. `API/StoredRecords+API.swift` turns
// them into the wire types.
import Foundation

/// One thing that happened during a job (a `JobEvent` row's payload).
package struct StoredJobEvent: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable, CaseIterable {
        case status, progress, epoch, log
    }

    /// Always 0 in the payload: the row's id is the event's id (`JobEvents.after` fills it in).
    package var id: Int
    package var kind: Kind
    package var time: Date
    package var status: JobStatus?
    package var message: String?
    package var progress: StoredTrainingProgress?
    package var epoch: StoredEpochMetrics?

    package enum CodingKeys: String, CodingKey {
        case id = "id", kind = "kind", time = "time", status = "status", message = "message"
        case progress = "progress", epoch = "epoch"
    }

    package init(
        id: Int, kind: Kind, time: Date, status: JobStatus? = nil, message: String? = nil,
        progress: StoredTrainingProgress? = nil, epoch: StoredEpochMetrics? = nil
    ) {
        self.id = id
        self.kind = kind
        self.time = time
        self.status = status
        self.message = message
        self.progress = progress
        self.epoch = epoch
    }
}

/// The result of an `evaluate` job.
package struct StoredEvaluationReport: Codable, Sendable, Equatable {
    /// A file not evaluated, with the reason.
    package struct Skipped: Codable, Sendable, Equatable {
        package var fileName: String
        package var reason: String

        package enum CodingKeys: String, CodingKey {
            case fileName = "fileName", reason = "reason"
        }

        package init(fileName: String, reason: String) {
            self.fileName = fileName
            self.reason = reason
        }
    }

    package var iterationId: String
    /// Images evaluated.
    package var images: Int
    package var skipped: [Skipped]
    package var float: StoredEvaluationResult
    package var int8: StoredEvaluationResult

    package enum CodingKeys: String, CodingKey {
        case iterationId = "iterationId", images = "images", skipped = "skipped", float = "float", int8 = "int8"
    }

    package init(
        iterationId: String, images: Int, skipped: [Skipped], float: StoredEvaluationResult,
        int8: StoredEvaluationResult
    ) {
        self.iterationId = iterationId
        self.images = images
        self.skipped = skipped
        self.float = float
        self.int8 = int8
    }
}

/// The result of an `import` job: what happened to each entry of the archive.
package struct StoredImportReport: Codable, Sendable, Equatable {
    package var accepted: Int
    package var duplicates: Int
    package var rejected: Int
    package var files: [FileOutcome]
    /// Entries in the archive.
    package var entries: Int

    package enum CodingKeys: String, CodingKey {
        case accepted = "accepted", duplicates = "duplicates", rejected = "rejected", files = "files", entries =
            "entries"
    }

    package init(accepted: Int, duplicates: Int, rejected: Int, files: [FileOutcome], entries: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
        self.files = files
        self.entries = entries
    }

    /// The report of an archive's `entries`, counting the files' outcomes.
    package init(files: [FileOutcome], entries: Int) {
        self.init(
            accepted: files.count(.accepted), duplicates: files.count(.duplicate), rejected: files.count(.rejected),
            files: files, entries: entries)
    }
}
