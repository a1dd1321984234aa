// A zip import runs under a lease in the process that received the archive. When that process
// dies, the lease expires and the import fails saying what to do, and its archive is deleted;
// another server's running import and an archive still being uploaded are left alone.
import Fluent
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Zip imports when a server dies")
struct ImportRecoveryTests {
    @Test(arguments: TestDatabase.all)
    func aDeadServersImportFailsAndItsArchiveGoesWhileALiveOneIsLeftAlone(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            let owner = try #require(try await User.query(on: server.app.db).first()?.requireID())
            let spool = ImportJob.spoolDirectory(dataDirectory: server.config.dataDirectory)
            try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
            func archive(_ name: String, modified: Date) throws {
                let url = spool.appendingPathComponent(name)
                try Data("PK".utf8).write(to: url)
                try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
            }
            func runningImport(of archive: String, leaseOwner: String, leaseSeconds: Double) async throws -> String {
                let job = Job(ownerID: owner, projectID: UUID(uuidString: project), kind: .import)
                job.payload = try JSONText.encode(ImportJob.Payload(spool: archive))
                try await job.create(on: server.app.db)
                try await JobQueue(db: server.app.db, leaseSeconds: leaseSeconds).hold(
                    try job.requireID(), owner: leaseOwner)
                return try job.requireID().apiString
            }
            let anHourAgo = Date().addingTimeInterval(-3600)
            for name in ["import-live.zip", "import-dead.zip", "import-orphan.zip"] {
                try archive(name, modified: anHourAgo)
            }
            try archive("import-uploading.zip", modified: Date())
            let live = try await runningImport(of: "import-live.zip", leaseOwner: "api-elsewhere", leaseSeconds: 60)
            let dead = try await runningImport(of: "import-dead.zip", leaseOwner: "api-gone", leaseSeconds: -1)
            // act
            await MaintenanceTask.run(on: server.app.db, spool: spool, logger: server.app.logger)
            let liveJob = try await server.request(.GET, "/v1/jobs/\(live)", token: token)
            let deadJob = try await server.request(.GET, "/v1/jobs/\(dead)", token: token)
            let imported = try await ZipTests.importZip(
                try await ZipTests.zip([["name": "cat/a.png", "data": TestImages.png(seed: 1)]]),
                server, project: project, token: token)
            // check
            #expect(liveJob["status"] as? String == "running")
            #expect(deadJob["status"] as? String == "failed", "\(deadJob.text)")
            #expect((deadJob["error"] as? String)?.contains("Import the archive again") == true, "\(deadJob.text)")
            #expect(imported.status == 200 && imported["accepted"] as? Int == 1, "\(imported.text)")
            let left = Set(try FileManager.default.contentsOfDirectory(atPath: spool.path))
            #expect(left == ["import-live.zip", "import-uploading.zip"], "the finished import deleted its archive too")
            let leases = try await Job.query(on: server.app.db).filter(\.$kind == .import).filter(
                \.$status == .succeeded
            ).all().map(\.leaseOwner)
            #expect(leases == [nil])
        }
    }
}
