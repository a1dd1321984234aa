// The camera's spool: every frame is written here (atomically, under a name that starts with
// its capture time) before it is posted, and deleted only once the server has stored it, so
// an outage or a restart loses nothing. Frames the server refuses for good go to `rejected/`
// with the reason beside them. `state.json` remembers which source files were spooled, so a
// restart does not send a folder again. Not a queue shared by several processes: one
// `minnow camera` per spool.
import Foundation

struct SpooledFrame: Sendable {
    let url: URL
    let capturedAt: Date

    var name: String { url.lastPathComponent }
    /// The source file's name, without the spool's time and hash prefix.
    var sourceName: String { name.split(separator: "-", maxSplits: 2).last.map(String.init) ?? name }
}

struct FrameSpool {
    let directory: URL
    var rejectedDirectory: URL { directory.appendingPathComponent("rejected") }
    private var stateFile: URL { directory.appendingPathComponent("state.json") }

    init(directory: URL) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("rejected"), withIntermediateDirectories: true)
        } catch {
            throw CLIFailure("Cannot create the spool directory \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Frames waiting to be posted, oldest capture first (then by source name).
    func pending() -> [SpooledFrame] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name in
            guard !name.hasPrefix("."), name != "state.json", name != "rejected",
                let millis = name.split(separator: "-").first.flatMap({ Int64($0) })
            else { return nil }
            return SpooledFrame(
                url: directory.appendingPathComponent(name),
                capturedAt: Date(timeIntervalSince1970: Double(millis) / 1000))
        }.sorted { ($0.capturedAt, $0.sourceName) < ($1.capturedAt, $1.sourceName) }
    }

    /// Writes a frame under `<capture ms>-<key hash>-<name>`: the same source file spooled twice
    /// (a crash between spooling and saving the state) lands on the same name, never twice.
    @discardableResult
    func add(_ data: Data, capturedAt: Date, name: String, key: String) throws -> SpooledFrame {
        let millis = max(0, Int64((capturedAt.timeIntervalSince1970 * 1000).rounded()))
        let safeName = String(name.map { $0.isLetter || $0.isNumber || ".-_".contains($0) ? $0 : "_" }.prefix(100))
        let file = directory.appendingPathComponent(
            String(format: "%013lld-%08x", millis, Self.hash(key)) + "-" + safeName)
        let temporary = directory.appendingPathComponent(".partial-\(UUID().uuidString)")
        try data.write(to: temporary)
        try? FileManager.default.setAttributes([.modificationDate: capturedAt], ofItemAtPath: temporary.path)
        try Self.replace(file, with: temporary)
        return SpooledFrame(url: file, capturedAt: capturedAt)
    }

    func delivered(_ frame: SpooledFrame) {
        try? FileManager.default.removeItem(at: frame.url)
    }

    /// Moves a refused frame to `rejected/` and writes the server's reason to `<name>.error.txt`.
    func reject(_ frame: SpooledFrame, reason: String) throws {
        let target = rejectedDirectory.appendingPathComponent(frame.name)
        _ = try? FileManager.default.removeItem(at: target)
        try FileManager.default.moveItem(at: frame.url, to: target)
        try Data("\(reason)\n".utf8).write(to: rejectedDirectory.appendingPathComponent(frame.name + ".error.txt"))
    }

    /// Source files already spooled (see `FrameSources`' keys).
    func loadSent() -> Set<String> {
        guard let data = try? Data(contentsOf: stateFile),
            let state = try? JSONDecoder().decode(State.self, from: data)
        else { return [] }
        return Set(state.sent)
    }

    func saveSent(_ sent: Set<String>) throws {
        let temporary = directory.appendingPathComponent(".state-\(UUID().uuidString)")
        try JSONEncoder().encode(State(sent: sent.sorted())).write(to: temporary)
        try Self.replace(stateFile, with: temporary)
    }

    /// rename(2): the old file or the new one is there at every moment, never neither.
    private static func replace(_ file: URL, with temporary: URL) throws {
        guard rename(temporary.path, file.path) == 0 else {
            throw CLIFailure("Cannot write \(file.path): \(String(cString: strerror(errno))).")
        }
    }

    private struct State: Codable {
        var sent: [String]
    }

    /// FNV-1a, stable across runs (Swift's `hashValue` is seeded per process).
    private static func hash(_ text: String) -> UInt32 {
        text.utf8.reduce(2_166_136_261 as UInt32) { ($0 ^ UInt32($1)) &* 16_777_619 }
    }
}
