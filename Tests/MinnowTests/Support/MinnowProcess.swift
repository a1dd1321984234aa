// Runs the real `minnow` binary, as a person or a script would, and captures what it prints.
// Output goes to files and the wait happens on a thread of its own, so a chatty child can
// never block and the in-process test server keeps every concurrency thread.
import Foundation
import Testing

struct CommandResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum MinnowProcess {
    static var binary: URL {
        get throws {
            let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("minnow")
            if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            let built = repository.appendingPathComponent(".build/debug/minnow")
            try #require(
                FileManager.default.isExecutableFile(atPath: built.path), "build the minnow binary first (swift build)")
            return built
        }
    }

    static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String]
    ) async throws -> CommandResult {
        try await ExternalProcess.run(try binary.path, arguments, stdin: stdin, environment: environment)
    }
}

enum ExternalProcess {
    static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) async throws -> CommandResult {
        let binary = URL(fileURLWithPath: executable)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err"),
            input = scratch.appendingPathComponent("in")
        for file in [out, err, input] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        try Data((stdin ?? "").utf8).write(to: input)

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": scratch.path]
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = try FileHandle(forReadingFrom: input)

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let waiter = Thread {
                do {
                    try process.run()
                    process.waitUntilExit()
                    continuation.resume(returning: process.terminationStatus)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            waiter.start()
        }
        return CommandResult(
            status: status,
            stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8)
        )
    }
}
