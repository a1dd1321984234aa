// A conversation with one board over a SerialPort, in the board protocol: wait for its hello,
// ask `info`, run `infer`. Every line in both directions is kept in a transcript (with a
// direction mark and the time since the connection opened) for the install log. It does not
// open, reopen or flash anything, and it keeps no state about what the board should be running.
import Foundation

public enum BoardConnectionError: Error, Equatable, CustomStringConvertible, Sendable {
    /// No expected line arrived in time.
    case timedOut(waitingFor: String, seconds: Double)
    /// The board answered with an `error` line.
    case boardError(String)
    /// The board's answer does not fit the request (e.g. wrong output length).
    case unexpectedAnswer(String)

    public var description: String {
        switch self {
        case .timedOut(let what, let s): return "no \(what) from the board within \(formatSeconds(s))"
        case .boardError(let m): return "the board answered with an error: \(m)"
        case .unexpectedAnswer(let m): return "unexpected answer from the board: \(m)"
        }
    }
}

public final class BoardConnection: @unchecked Sendable {
    private var currentPort: SerialPort
    /// The port in use (replaced by `replacePort` when a board re-enumerates).
    public var port: SerialPort { lock.withLock { currentPort } }
    private let lock = NSLock()
    private var lines: [String] = []
    private var dropped = 0
    private let started = Deadline.now()
    /// The transcript keeps at most this many lines (the oldest go first), so a long session
    /// reading observations does not grow without bound.
    public var transcriptLimit = 20_000
    /// Called with every transcript line as it is recorded (e.g. to stream the log).
    public var onTranscriptLine: (@Sendable (String) -> Void)?

    public init(port: SerialPort) {
        self.currentPort = port
    }

    /// Continues the conversation on a newly opened port (same board, transcript kept).
    public func replacePort(_ port: SerialPort) {
        lock.withLock { currentPort = port }
    }

    /// Every line sent (`>`) and received (`<`), plus notes (`#`), in order.
    public var transcript: [String] {
        lock.withLock { dropped > 0 ? ["(\(dropped) earlier lines dropped)"] + lines : lines }
    }

    /// How many lines were ever recorded: a mark for `transcript(since:)`.
    public var transcriptMark: Int { lock.withLock { dropped + lines.count } }

    /// The lines recorded after `mark` (those still kept).
    public func transcript(since mark: Int) -> [String] {
        lock.withLock { Array(lines.dropFirst(max(0, mark - dropped))) }
    }

    /// Adds a note to the transcript (e.g. "flashing started").
    public func note(_ text: String) { record("#", text) }

    /// Waits for a `boot` or `info` line; other lines (noise, stray inferences) are logged and
    /// skipped. Serial errors (`disconnected`) are thrown as they are.
    public func waitForHello(timeout: Double) throws -> BoardHello {
        try waitFor("boot line", timeout: timeout) { line in
            if case .hello(let h) = line { return h }
            return nil
        }
    }

    /// Sends `info` and returns the board's `info` answer.
    public func info(timeout: Double = 5) throws -> BoardHello {
        try send(.info)
        return try waitFor("info answer", timeout: timeout) { line in
            if case .hello(let h) = line, h.kind == .info { return h }
            if case .error(let m) = line { throw BoardConnectionError.boardError(m) }
            return nil
        }
    }

    /// Sends `infer <hex>` and returns the board's inference.
    public func infer(_ input: [Int8], timeout: Double = 30) throws -> BoardInference {
        try send(.infer(input))
        return try waitFor("inference", timeout: timeout) { line in
            if case .inference(let r) = line { return r }
            if case .error(let m) = line { throw BoardConnectionError.boardError(m) }
            return nil
        }
    }

    /// The next line the board sends, parsed (nil for noise), waiting at most `timeout` seconds;
    /// for reading what a board prints on its own (e.g. inferences it runs at boot).
    public func next(timeout: Double) throws -> BoardLine? {
        let raw: String
        do {
            raw = try port.readLine(timeout: timeout)
        } catch SerialPortError.timedOut {
            throw BoardConnectionError.timedOut(waitingFor: "line", seconds: timeout)
        } catch {
            note("\(error)")
            throw error
        }
        record("<", raw)
        return BoardLine.parse(raw)
    }

    /// Sends one command line.
    public func send(_ command: BoardCommand) throws {
        let text = command.line
        record(">", text.count > 80 ? String(text.prefix(80)) + "… (\(text.count) chars)" : text)
        try port.writeLine(text)
    }

    /// Reads lines until `match` returns a value (or throws), for at most `timeout` seconds.
    public func waitFor<T>(
        _ what: String, timeout: Double,
        match: (BoardLine) throws -> T?
    ) throws -> T {
        let deadline = Deadline(seconds: timeout)
        while true {
            let remaining = deadline.remainingSeconds
            guard remaining > 0 else { throw BoardConnectionError.timedOut(waitingFor: what, seconds: timeout) }
            let raw: String
            do {
                raw = try port.readLine(timeout: remaining)
            } catch SerialPortError.timedOut {
                throw BoardConnectionError.timedOut(waitingFor: what, seconds: timeout)
            } catch {
                note("\(error)")
                throw error
            }
            record("<", raw)
            if let line = BoardLine.parse(raw), let value = try match(line) { return value }
        }
    }

    /// Discards everything received so far (recording it in the transcript).
    public func drain() throws {
        for line in try port.drain() { record("<", line) }
    }

    private func record(_ mark: String, _ text: String) {
        let t = Double(Deadline.now() - started) / 1e9
        let entry = String(format: "%8.3f ", t) + mark + " " + text
        lock.withLock {
            lines.append(entry)
            if lines.count > transcriptLimit {
                let excess = lines.count - transcriptLimit
                lines.removeFirst(excess)
                dropped += excess
            }
        }
        onTranscriptLine?(entry)
    }
}
