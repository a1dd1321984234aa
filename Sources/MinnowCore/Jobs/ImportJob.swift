// Runs a zip import in the background: the request that uploaded the archive returns a job
// at once, and the job records progress while entries are imported and the report at the end.
// The archive waits in <data-dir>/spool, so the import runs in the process that received it,
// under a lease renewed by heartbeat like a worker's. If that process dies, the lease expires
// and the queue's reaper fails the job with a sentence saying what to do (images imported
// before are kept); the archive is deleted when the job ends, or, left behind by a process
// that died, by `removeAbandonedArchives` (at start and with the periodic maintenance).
import FluentKit
import Foundation
import NeuralNet
import NIOPosix

package enum ImportJob {
    /// The lease owner of the imports this process runs.
    package static let owner =
        "api-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"

    package struct Payload: Codable {
        /// The archive's file name in the spool directory.
        package var spool: String

        package init(spool: String) {
            self.spool = spool
        }
    }

    /// `db` must outlive the request (the application's, not a request's): the import runs
    /// on it after the response; it logs to `db`'s logger and decodes on `threadPool`.
    package static func start(
        archive: URL, project: Project, ownerID: UUID, db: any Database, threadPool: NIOThreadPool
    ) async throws -> Job {
        let job = Job(ownerID: ownerID, projectID: try project.requireID(), kind: .import)
        job.payload = try JSONText.encode(Payload(spool: archive.lastPathComponent))
        try await job.create(on: db)
        let jobID = try job.requireID(), projectID = try project.requireID(), task = project.task
        try await JobQueue(db: db).hold(jobID, owner: owner)
        Task.detached {
            await run(jobID: jobID, archive: archive, projectID: projectID, task: task, db: db, threadPool: threadPool)
        }
        return try await Job.find(jobID, on: db) ?? job
    }

    package static func run(
        jobID: UUID, archive: URL, projectID: UUID, task: ModelTask, db: any Database, threadPool: NIOThreadPool
    ) async {
        // The archive goes before the job reads as finished, so whoever waits for the job finds
        // the spool without it (the tests look right after).
        func removeArchive() { try? FileManager.default.removeItem(at: archive) }
        defer { removeArchive() }
        let logger = db.logger
        let queue = JobQueue(db: db)
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(queue.leaseSeconds / 3))
                _ = try? await queue.heartbeat(jobID, worker: owner)
            }
        }
        defer { heartbeat.cancel() }
        do {
            let ingest = ImageIngest(db: db, projectID: projectID, threadPool: threadPool)
            var importer = ZipImporter(ingest: ingest, task: task)
            importer.progress = { done, total in
                try? await update(jobID, on: db) {
                    $0.progressDone = done; $0.progressTotal = total
                }
            }
            let report = try await importer.importArchive(at: archive)
            removeArchive()
            let result = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            try await update(jobID, on: db) { $0.progressDone = $0.progressTotal }
            try await queue.finish(jobID, worker: owner, status: .succeeded, result: result)
            logger.info(
                "import finished",
                metadata: ["job": "\(jobID)", "accepted": "\(report.accepted)", "rejected": "\(report.rejected)"])
        } catch {
            let message: String
            switch error {
            case ZipReader.Refusal.notAZip: message = "The file is not a readable zip archive."
            case ZipReader.Refusal.tooManyEntries(let count, let limit):
                message = "The archive has \(count) entries; at most \(limit) are accepted."
            default:
                message =
                    "The import failed on the server; images imported before the failure are kept. Try again, and report it if it persists."
                logger.error("import failed", metadata: ["job": "\(jobID)", "error": "\(error)"])
            }
            removeArchive()
            try? await queue.finish(jobID, worker: owner, status: .failed, error: message)
        }
    }

    /// Where uploaded archives wait for their import.
    package static func spoolDirectory(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("spool")
    }

    /// Deletes archives in `spool` that no running import holds (their process died), once
    /// untouched for `quietSeconds` (an archive still being uploaded has no job yet).
    package static func removeAbandonedArchives(
        in spool: URL, on db: any Database, quietSeconds: TimeInterval = 300
    ) async throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []
        guard !files.isEmpty else { return }
        let running = try await Job.query(on: db).filter(\.$kind == .import).filter(\.$status == .running).all()
        let held = Set(
            running.compactMap { job in job.payload.flatMap { try? JSONText.decode(Payload.self, from: $0).spool } })
        for file in files where file.hasPrefix("import-") && !held.contains(file) {
            let url = spool.appendingPathComponent(file)
            let modified =
                (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)
                ?? .distantPast
            if Date().timeIntervalSince(modified) >= quietSeconds { try? FileManager.default.removeItem(at: url) }
        }
    }

    private static func update(_ id: UUID, on db: any Database, _ change: (Job) -> Void) async throws {
        guard let job = try await Job.find(id, on: db) else { return }
        change(job)
        try await job.save(on: db)
    }
}
