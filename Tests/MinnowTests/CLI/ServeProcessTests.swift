import AsyncHTTPClient
import Foundation
import Testing

/// `minnow serve` as an operator runs it: first start creates the data directory and secret,
/// SIGTERM stops it gracefully with exit code 0.
@Suite("minnow serve process")
struct ServeProcessTests {
    @Test func startsOnSQLiteAndStopsGracefullyOnSIGTERM() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let port = Int.random(in: 20_000...40_000)
        let log = data.appendingPathExtension("log")
        try #require(FileManager.default.createFile(atPath: log.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = try MinnowProcess.binary
        process.arguments = ["serve", "--data-dir", data.path, "--port", "\(port)", "--bcrypt-cost", "4"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path]
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()

        var healthy = false
        for _ in 0..<100 where !healthy {
            try await Task.sleep(for: .milliseconds(100))
            let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(2))
            healthy = response?.status == .ok
        }
        #expect(healthy)
        let secretMode =
            try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("secret.key").path)[
                .posixPermissions] as? Int
        #expect(secretMode == 0o600)
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("minnow.sqlite").path))

        process.terminate()  // SIGTERM
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit(); continuation.resume(returning: process.terminationStatus)
            }.start()
        }
        #expect(status == 0)
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(output.contains("Server started") && !output.contains("secret.key:"), "\(output)")
    }
}
