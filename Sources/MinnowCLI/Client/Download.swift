// Saving a downloaded body to a file: written to `<file>.partial` and renamed at the end, so
// an interrupted download never leaves a truncated file under the real name.
import Foundation
import OpenAPIRuntime

enum Download {
    /// Writes `body` to `path`; returns the bytes written.
    static func save(_ body: HTTPBody, to path: String, showProgress: Bool) async throws -> Int {
        let partial = URL(fileURLWithPath: path + ".partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw CLIFailure("Cannot write \(partial.path).")
        }
        let handle = try FileHandle(forWritingTo: partial)
        let progress = ProgressLine(enabled: showProgress)
        var written = 0
        do {
            for try await chunk in body {
                try handle.write(contentsOf: chunk)
                written += chunk.count
                progress.update("Downloaded \(ProgressLine.bytes(written))")
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw CLIFailure("The download stopped early (\(error)); nothing was written to \(path).")
        }
        progress.finish()
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(at: partial, to: URL(fileURLWithPath: path))
        return written
    }
}
