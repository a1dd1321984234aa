// Where `minnow camera` gets frames: image files in a folder or matching a glob (each file once,
// in name order, new files as they appear; the file's modification time is its capture time),
// or a V4L2 camera captured every interval by ffmpeg or a command of your own that writes one
// JPEG or PNG to standard output. Every frame goes into the spool before anything is posted.
import Foundation
import Imaging
import MinnowBridge
#if canImport(Glibc)
import Glibc
#endif

protocol FrameSource {
    /// Spools the frames that are due now and returns them.
    mutating func collect(into spool: FrameSpool) async throws -> [SpooledFrame]
    /// For --once: nothing more is waiting (every file seen so far is spooled, or one frame was captured).
    var exhausted: Bool { get }
}

/// Image files in a folder (`.jpg`, `.jpeg`, `.png`) or every regular file matching a glob.
struct FileFrameSource: FrameSource {
    enum Selection { case folder(URL), glob(String) }

    let selection: Selection
    /// A file changed this recently may still be being written; it is taken on a later look.
    var settleSeconds: TimeInterval = 1
    private var sent: Set<String>
    private(set) var exhausted = false

    init(_ selection: Selection, spool: FrameSpool) {
        self.selection = selection
        sent = spool.loadSent()
    }

    mutating func collect(into spool: FrameSpool) async throws -> [SpooledFrame] {
        var spooled: [SpooledFrame] = [], seen: Set<String> = [], settling = false
        for path in try candidates() {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let modified = attributes[.modificationDate] as? Date
            else { continue }
            let key =
                "\(URL(fileURLWithPath: path).standardizedFileURL.path)@\(Int64((modified.timeIntervalSince1970 * 1000).rounded()))"
            seen.insert(key)
            if sent.contains(key) { continue }
            if Date().timeIntervalSince(modified) < settleSeconds { settling = true; continue }
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            spooled.append(
                try spool.add(data, capturedAt: modified, name: URL(fileURLWithPath: path).lastPathComponent, key: key))
            sent.insert(key)
        }
        // Files that are gone are forgotten, so the state stays as small as the folder.
        let kept = sent.intersection(seen)
        if !spooled.isEmpty || kept.count != sent.count {
            sent = kept
            try spool.saveSent(sent)
        }
        exhausted = !settling
        return spooled
    }

    private func candidates() throws -> [String] {
        switch selection {
        case .folder(let folder):
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
                throw CLIFailure("Cannot read the folder \(folder.path).")
            }
            return names.filter {
                !$0.hasPrefix(".") && ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased())
            }
            .sorted().map { folder.appendingPathComponent($0).path }
        case .glob(let pattern):
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
            return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
        }
    }
}

/// A frame from a V4L2 device every interval, by `ffmpeg -f v4l2` or `--capture-command`.
struct CaptureFrameSource: FrameSource {
    let device: String
    let command: String
    let interval: TimeInterval
    let once: Bool
    private var nextCapture = Date.distantPast
    private var captured = 0
    var exhausted: Bool { once && captured > 0 }

    /// Fails at once when ffmpeg is needed and missing.
    init(device: String, captureCommand: String?, interval: TimeInterval, once: Bool) throws {
        self.device = device
        self.interval = interval
        self.once = once
        if let captureCommand {
            command = captureCommand
        } else {
            guard ProcessRunner().locate("ffmpeg") != nil else {
                throw CLIFailure(
                    "ffmpeg is not on PATH; install it (apt-get install ffmpeg) or give --capture-command.")
            }
            let quoted = "'" + device.replacingOccurrences(of: "'", with: "'\\''") + "'"
            command =
                "exec ffmpeg -hide_banner -loglevel error -f v4l2 -i \(quoted) -frames:v 1 -f image2 -vcodec mjpeg -"
        }
    }

    mutating func collect(into spool: FrameSpool) async throws -> [SpooledFrame] {
        guard !exhausted, Date() >= nextCapture else { return [] }
        let started = Date()
        nextCapture = started.addingTimeInterval(interval)
        let frame = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-capture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: frame) }
        let runner = ProcessRunner(environment: ["MINNOW_CAMERA_DEVICE": device, "MINNOW_FRAME_FILE": frame.path])
        let script = "(\(command)) > \"$MINNOW_FRAME_FILE\""
        let result = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: Result { try runner.run("/bin/sh", ["-c", script], timeout: 30) })
            }.start()
        }
        let outcome = try result.get()
        let data = FileManager.default.contents(atPath: frame.path) ?? Data()
        guard outcome.exitCode == 0, !data.isEmpty else {
            let why = outcome.timedOut ? "timed out after 30 s" : outcome.exitCode.map { "exit code \($0)" } ?? "killed"
            let detail = outcome.output.split(separator: "\n").last.map { ": \($0)" } ?? ""
            let message =
                "capture from \(device) failed (\(data.isEmpty && outcome.exitCode == 0 ? "no image on standard output" : why))\(detail)"
            if once { throw CLIFailure(message) }
            say(message)
            return []
        }
        captured += 1
        let ext = (ImageFormat.announced(by: data) ?? .jpeg).fileExtension
        return [try spool.add(data, capturedAt: started, name: "capture.\(ext)", key: UUID().uuidString)]
    }
}
