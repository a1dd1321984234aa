// The job system under failure, with real `minnow worker` and `minnow serve` processes: a
// worker killed mid-training loses its lease and another finishes the job; two workers share
// a queue and run every job exactly once; a server restart loses nothing and the event stream
// continues where the client left it.
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Worker reliability", .serialized)
struct WorkerReliabilityTests {
    nonisolated(unsafe) static let longer: [String: Any] = [
        "architecture": "tiny-cnn", "input": ["width": 32, "height": 32, "colorMode": "grayscale"],
        "epochs": 150, "batchSize": 8, "learningRate": 0.005, "augmentation": false, "seed": 5,
    ]

    /// Events of an iteration after `after`, by JSON polling.
    static func events(
        _ server: TestServer, _ project: String, _ iteration: String, token: String, after: Int = 0
    ) async throws -> [[String: Any]] {
        let page = try await server.request(
            .GET, "/v1/projects/\(project)/iterations/\(iteration)/events?after=\(after)", token: token,
            headers: [("Accept", "application/json")])
        return page["items"] as? [[String: Any]] ?? []
    }

    static func waitForEvent(
        _ kind: String, _ server: TestServer, _ project: String, _ iteration: String, token: String
    ) async throws {
        for _ in 0..<600 {
            if try await events(server, project, iteration, token: token).contains(where: {
                $0["kind"] as? String == kind
            }) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(kind) event within 30 s")
    }

    @Test(arguments: TestDatabase.all)
    func aKilledWorkersJobIsFinishedByAnother(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            try await server.uploadStripes(to: project, token: token)
            let id = try #require(
                try await server.startIteration(project, token: token, configuration: Self.longer)["id"] as? String)

            // act: the first worker dies mid-training (kill -9: no chance to hand the job back).
            let first = try BackgroundMinnow.worker(for: server)
            try await Self.waitForEvent("epoch", server, project, id, token: token)
            first.signal(SIGKILL)
            _ = await first.waitForExit()
            let second = try BackgroundMinnow.worker(for: server)
            let finished = try await server.waitForIteration(project, id, token: token)

            // check
            #expect(finished["status"] as? String == "succeeded", "\(finished)\n\(second.log)")
            #expect(finished["attempts"] as? Int == 2)
            let results = try #require(finished["results"] as? [String: Any])
            #expect((results["curves"] as? [Any])?.count == 150)
            let attempts = try await Self.events(server, project, id, token: token)
                .filter {
                    $0["kind"] as? String == "status" && ($0["message"] as? String)?.hasPrefix("Attempt") == true
                }
            #expect(attempts.count == 2)
            let list = try await server.request(.GET, "/v1/projects/\(project)/iterations", token: token)
            #expect((list["metadata"] as? [String: Any])?["total"] as? Int == 1)
            second.signal(SIGTERM)
            #expect(await second.waitForExit() == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func twoWorkersRunEveryQueuedJobExactlyOnce(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            try await server.uploadStripes(to: project, token: token, perLabel: 12, testPerLabel: 4)
            var quick = TestServer.quickTraining
            quick["epochs"] = 1
            var ids: [String] = []
            for _ in 0..<8 {
                ids.append(
                    try #require(
                        try await server.startIteration(project, token: token, configuration: quick)["id"] as? String))
            }

            let workers = try [BackgroundMinnow.worker(for: server), BackgroundMinnow.worker(for: server)]
            var finished: [[String: Any]] = []
            for id in ids { finished.append(try await server.waitForIteration(project, id, token: token)) }

            #expect(
                finished.allSatisfy { $0["status"] as? String == "succeeded" && $0["attempts"] as? Int == 1 },
                "\(finished.map { $0["status"] ?? "" })")
            for id in ids {
                let starts = try await Self.events(server, project, id, token: token)
                    .filter { ($0["message"] as? String)?.hasPrefix("Attempt") == true }
                #expect(starts.count == 1)
            }
            // Both took part (each logs the jobs it ran).
            #expect(workers.allSatisfy { $0.log.contains("job started") }, "\(workers.map(\.log))")
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { #expect(await worker.waitForExit() == 0) }
        }
    }

    @Test
    func aServerRestartLosesNothingAndTheStreamContinues() async throws {
        try await TestServer.with(.sqlite) { api in
            let token = try await api.signUp("ada")
            let project = try await api.createProject("stripes", token: token)
            try await api.uploadStripes(to: project, token: token)
            let port = Int.random(in: 20_000...40_000)
            let arguments = [
                "serve", "--data-dir", api.config.dataDirectory, "--port", "\(port)", "--bcrypt-cost", "4", "--workers",
                "1",
            ]
            var serve = try BackgroundMinnow(arguments)
            #expect(await FreePort.waitUntilReady(port))
            let server = TestServer(app: api.app, baseURL: "http://127.0.0.1:\(port)", config: api.config)
            let id = try #require(
                try await server.startIteration(project, token: token, configuration: Self.longer)["id"] as? String)
            try await Self.waitForEvent("epoch", server, project, id, token: token)
            let seen = try await Self.events(server, project, id, token: token)
            let lastSeen = try #require(seen.last?["id"] as? Int)

            // act: stop the server (its worker hands the job back) and start it again.
            serve.signal(SIGTERM)
            #expect(await serve.waitForExit() == 0, "\(serve.log)")
            #expect(
                serve.log.contains("goes back to the queue") || serve.log.contains("worker stopped"), "\(serve.log)")
            serve = try BackgroundMinnow(arguments)
            #expect(await FreePort.waitUntilReady(port))

            // check: the stream resumes after the last event seen and runs to the end.
            let stream = try await server.request(
                .GET, "/v1/projects/\(project)/iterations/\(id)/events", token: token,
                headers: [("Accept", "text/event-stream"), ("Last-Event-ID", "\(lastSeen)")])
            let streamed = stream.text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap {
                Int($0.dropFirst(4))
            }
            #expect(streamed.first.map { $0 > lastSeen } == true && streamed == streamed.sorted())
            #expect(stream.text.contains("\"status\":\"succeeded\""), "\(stream.text.suffix(500))")
            let finished = try await server.waitForIteration(project, id, token: token)
            #expect(finished["status"] as? String == "succeeded" && finished["attempts"] as? Int == 1)
            serve.signal(SIGTERM)
            _ = await serve.waitForExit()
        }
    }
}
