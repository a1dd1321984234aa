// A one-line progress display on standard error for long work (uploads, downloads), redrawn
// in place at a terminal and printed sparingly otherwise, so logs and pipes stay readable.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
    }

    var elapsed: TimeInterval { Date().timeIntervalSince(start) }

    func update(_ text: String, force: Bool = false) {
        guard enabled, force || Date().timeIntervalSince(lastDraw) > (isTerminal ? 0.1 : 5) else { return }
        lastDraw = Date()
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + text : text + "\n").utf8))
    }

    func finish() {
        if enabled && isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func bytes(_ count: Int) -> String {
        count < 1 << 20
            ? String(format: "%.1f KB", Double(count) / 1024) : String(format: "%.1f MB", Double(count) / 1_048_576)
    }
}
