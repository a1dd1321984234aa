// Zip imports of thousands of images (issue 15: an outside check importing 10,000 Fashion-MNIST
// PNGs saw 256 of them in the project). Each batch of an import is stored in a transaction
// that reads before it writes; on SQLite such a transaction used to fail with "database is
// locked" whenever another connection committed in between (the import's own lease
// heartbeat, a worker's training events, another import), and the job failed after the
// batches already stored (2 × 128 = 256). These imports run with a second import and a
// lease heartbeat renewed every 20 ms, and must import every image.
import Fluent
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Large zip imports")
struct LargeImportTests {
    /// `count` Fashion-MNIST test images from `first`, as 28×28 grayscale PNGs in class folders.
    static func fashionZip(count: Int, first: Int = 0) async throws -> Data {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fashion-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: output) }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let script = repository.appendingPathComponent("tests/fixtures/fashion_zip.py")
        try #require(
            FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
            "Fashion-MNIST is missing: apt-get install dataset-fashion-mnist (scripts/install-deps.sh test)")
        let result = try await ExternalProcess.run(
            "/usr/bin/env", ["python3", script.path, output.path, "\(count)", "\(first)"],
            environment: ["PATH": "/usr/bin:/bin:/usr/local/bin"])
        try #require(result.status == 0, "fashion_zip.py: \(result.stderr)")
        return try Data(contentsOf: output)
    }

    /// Polls a job until it ends; returns it.
    static func finished(_ jobID: String, _ server: TestServer, token: String) async throws -> TestResponse {
        for _ in 0..<1200 {
            let job = try await server.request(.GET, "/v1/jobs/\(jobID)", token: token)
            if ["succeeded", "failed", "canceled"].contains(job["status"] as? String ?? "") { return job }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the import job \(jobID) did not finish in 60 s")
        return try await server.request(.GET, "/v1/jobs/\(jobID)", token: token)
    }

    @Test(arguments: TestDatabase.all)
    func thousandsOfImagesImportCompletelyWhileOthersWrite(database: TestDatabase) async throws {
        let large = 2_560, small = 1_280  // 10 and 5 times the 256 the outside check saw
        let largeZip = try await Self.fashionZip(count: large)
        let smallZip = try await Self.fashionZip(count: small, first: 5_000)
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let first = try await server.createProject("fashion", token: token)
            let second = try await server.createProject("more fashion", token: token)
            func start(_ zip: Data, into project: String) async throws -> String {
                let accepted = try await server.request(
                    .POST, "/v1/projects/\(project)/images/import", token: token, body: zip,
                    headers: [("Content-Type", "application/zip")])
                try #require(accepted.status == 202, "\(accepted.text)")
                return try #require(accepted["id"] as? String)
            }
            // act: two imports at once, and the first one's lease renewed every 20 ms (every 2 ms starved the
            // connection pool on a loaded CI machine, and the import's batch timed out waiting for a connection)
            let largeJob = try await start(largeZip, into: first)
            let smallJob = try await start(smallZip, into: second)
            let queue = JobQueue(db: server.app.db)
            let largeJobID = try #require(UUID(uuidString: largeJob))
            let heartbeats = Task {
                var renewals = 0
                renewing: while !Task.isCancelled {
                    // a renewal that waits too long for a connection is skipped, as the import's own heartbeat does
                    switch try? await queue.heartbeat(largeJobID, worker: ImportJob.owner) {
                    case .keep?: renewals += 1
                    case nil: break
                    default: break renewing
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return renewals
            }
            let largeResult = try await Self.finished(largeJob, server, token: token)
            let smallResult = try await Self.finished(smallJob, server, token: token)
            heartbeats.cancel()
            let renewals = await heartbeats.value
            // check
            for (job, count, project) in [(largeResult, large, first), (smallResult, small, second)] {
                #expect(job["status"] as? String == "succeeded", "\(job["error"] ?? "") after \(job["progress"] ?? "")")
                let report = job["result"] as? [String: Any] ?? [:]
                #expect(
                    report["entries"] as? Int == count && report["accepted"] as? Int == count,
                    "\(report.filter { $0.key != "files" })")
                #expect(report["rejected"] as? Int == 0 && report["duplicates"] as? Int == 0)
                #expect((report["files"] as? [[String: Any]])?.count == count)
                let progress = job["progress"] as? [String: Any] ?? [:]
                #expect(progress["done"] as? Int == count && progress["total"] as? Int == count, "\(progress)")
                let page = try await server.request(.GET, "/v1/projects/\(project)/images?perPage=1", token: token)
                #expect((page["metadata"] as? [String: Any])?["total"] as? Int == count, "\(page.text.prefix(300))")
                let analysis = try await server.request(.GET, "/v1/projects/\(project)/dataset/analysis", token: token)
                #expect(analysis.status == 200)
            }
            #expect(renewals > 20, "the lease was renewed \(renewals) times during the import")
        }
    }
}
