// A `minnow` process that keeps running while the test goes on (a worker, a server): its
// output goes to a log file, and the test can signal it (SIGTERM, SIGKILL) and wait for it.
import AsyncHTTPClient
import Foundation
import Testing

final class BackgroundMinnow: @unchecked Sendable {  // Process is thread-safe for these uses.
    let process = Process()
    let logFile: URL

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-bg-\(UUID().uuidString).log")
        // a missing log only loses the diagnostics
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = try MinnowProcess.binary
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path].merging(
            environment
        ) { _, given in given }
        process.standardOutput = try FileHandle(forWritingTo: logFile)
        process.standardError = process.standardOutput
        try process.run()
    }

    /// `minnow worker` on the database of `server` (same SQLite file or PostgreSQL database).
    static func worker(for server: TestServer, leaseSeconds: Int = 3) throws -> BackgroundMinnow {
        var arguments = ["worker", "--data-dir", server.config.dataDirectory, "--lease-seconds", "\(leaseSeconds)"]
        if let url = server.config.databaseURL { arguments += ["--database-url", url] }
        return try BackgroundMinnow(arguments)
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func waitForExit(timeout: TimeInterval = 60) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logFile)
    }
}

enum FreePort {
    /// Waits until `http://127.0.0.1:port/readyz` answers 200.
    static func waitUntilReady(_ port: Int, timeout: TimeInterval = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(2))
            if response?.status == .ok { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
