// Runs a zip import in the background: the request that uploaded the archive returns a job
// at once, and the job records progress while entries are imported and the report at the end.
// The archive waits in <data-dir>/spool and is deleted when the job ends, however it ends.
import APITypes
import Fluent
import Foundation
import Vapor

enum ImportJob {
    static func start(archive: URL, project: Project, ownerID: UUID, app: Application) async throws -> Job {
        let job = Job(ownerID: ownerID, projectID: try project.requireID(), kind: "import")
        try await job.create(on: app.db)
        let jobID = try job.requireID(), projectID = try project.requireID(), task = project.task
        Task.detached {
            await run(jobID: jobID, archive: archive, projectID: projectID, task: task, app: app)
        }
        return job
    }

    static func run(jobID: UUID, archive: URL, projectID: UUID, task: String, app: Application) async {
        defer { try? FileManager.default.removeItem(at: archive) }
        let db = app.db
        let logger = app.logger
        do {
            try await update(jobID, on: db) { $0.status = "running" }
            let ingest = ImageIngest(db: db, projectID: projectID, threadPool: app.threadPool)
            var importer = ZipImporter(ingest: ingest, task: task)
            importer.progress = { done, total in
                try? await update(jobID, on: db) { $0.progressDone = done; $0.progressTotal = total }
            }
            let report = try await importer.importArchive(at: archive)
            let result = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            try await update(jobID, on: db) {
                $0.status = "succeeded"
                $0.result = result
                $0.progressDone = $0.progressTotal
            }
            logger.info("import finished", metadata: ["job": "\(jobID)", "accepted": "\(report.value1.accepted)", "rejected": "\(report.value1.rejected)"])
        } catch {
            let message: String
            switch error {
            case ZipReader.Refusal.notAZip: message = "The file is not a readable zip archive."
            case ZipReader.Refusal.tooManyEntries(let count, let limit): message = "The archive has \(count) entries; at most \(limit) are accepted."
            default:
                message = "The import failed on the server; images imported before the failure are kept. Try again, and report it if it persists."
                logger.error("import failed", metadata: ["job": "\(jobID)", "error": "\(error)"])
            }
            try? await update(jobID, on: db) { $0.status = "failed"; $0.error = message }
        }
    }

    /// Jobs a stopped server left running can never finish: say so instead of leaving them hanging.
    static func failInterrupted(on db: any Database) async throws {
        try await Job.query(on: db).filter(\.$kind == "import").filter(\.$status ~~ ["queued", "running"])
            .set(\.$status, to: "failed").set(\.$error, to: "The server stopped during the import; images imported before are kept. Import the archive again to add the rest (duplicates are skipped).")
            .update()
    }

    private static func update(_ id: UUID, on db: any Database, _ change: (Job) -> Void) async throws {
        guard let job = try await Job.find(id, on: db) else { return }
        change(job)
        try await job.save(on: db)
    }
}
