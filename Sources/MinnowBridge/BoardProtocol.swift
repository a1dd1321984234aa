// The Minnow board line protocol, version 1, as docs/board-protocol.md defines it: the lines a
// board sends (boot/info hello, inference, error), a parser that turns one received line into one
// of them (and ignores boot noise that is not a JSON object), and the encoding of the two host
// commands (`info`, `infer <hex>`). Pure values only: no I/O, no timing. Talking to a board over
// a port is BoardConnection's job.
import Foundation

/// The protocol version this bridge speaks.
public let boardProtocolVersion = 1

/// A board's hello: the `boot` line it prints once at start-up, or its answer to `info`.
public struct BoardHello: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case boot, info }
    public var kind: Kind
    public var protocolVersion: Int
    /// SHA-256 (lower-case hex) of everything the running image was built from.
    public var firmware: String
    /// SHA-256 of the model's int8 `.tflite` bytes.
    public var model: String
    /// The board profile the image was built for.
    public var board: String
    public var input: Int
    public var output: Int
    public var arena: Int
    public var clockHz: Int

    public init(
        kind: Kind, protocolVersion: Int = boardProtocolVersion, firmware: String, model: String,
        board: String, input: Int, output: Int, arena: Int, clockHz: Int
    ) {
        self.kind = kind
        self.protocolVersion = protocolVersion
        self.firmware = firmware
        self.model = model
        self.board = board
        self.input = input
        self.output = output
        self.arena = arena
        self.clockHz = clockHz
    }
}

/// A board's answer to `infer`.
public struct BoardInference: Sendable, Equatable, Codable {
    /// The model's int8 output, one element per output byte.
    public var output: [Int8]
    /// Timer ticks at `clock_hz` spent in the model's invoke.
    public var ticks: UInt64

    public init(output: [Int8], ticks: UInt64) {
        self.output = output
        self.ticks = ticks
    }
}

/// One line received from a board.
public enum BoardLine: Sendable, Equatable {
    case hello(BoardHello)
    case inference(BoardInference)
    case error(String)
    /// A JSON object this bridge does not understand (an unknown event, or a known event with
    /// missing or ill-typed fields). Kept so the log shows it; never acted on.
    case unrecognized(String)

    /// Parses one line. Returns nil for noise: anything that does not start with `{` after
    /// leading white space (a bootloader's banner, a half line), as the protocol says.
    /// A trailing `\r` (and `\n`) is ignored.
    public static func parse(_ line: String) -> BoardLine? {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else { return nil }
        guard let data = text.data(using: .utf8),
            let wire = try? JSONDecoder().decode(WireLine.self, from: data),
            let event = wire.event
        else { return .unrecognized(text) }
        switch event {
        case "boot", "info":
            guard let proto = wire.protocol, let firmware = wire.firmware, let model = wire.model,
                let board = wire.board, let input = wire.input, let output = wire.output?.count,
                let arena = wire.arena, let clockHz = wire.clock_hz
            else { return .unrecognized(text) }
            return .hello(
                BoardHello(
                    kind: event == "boot" ? .boot : .info, protocolVersion: proto,
                    firmware: firmware, model: model, board: board, input: input,
                    output: output, arena: arena, clockHz: clockHz))
        case "inference":
            guard let bytes = wire.output?.bytes, let ticks = wire.ticks, ticks >= 0 else { return .unrecognized(text) }
            return .inference(BoardInference(output: bytes, ticks: UInt64(ticks)))
        case "error":
            return .error(wire.message ?? "")
        default:
            return .unrecognized(text)
        }
    }
}

/// A command line the host sends to a board (without the trailing newline).
public enum BoardCommand: Sendable, Equatable {
    case info
    case infer([Int8])

    public var line: String {
        switch self {
        case .info: return "info"
        case .infer(let input): return "infer " + BoardCommand.hex(input)
        }
    }

    /// Two's-complement bytes as lower-case hex, two characters each.
    public static func hex(_ bytes: [Int8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            let u = UInt8(bitPattern: b)
            out.append(digits[Int(u >> 4)])
            out.append(digits[Int(u & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The union of every field the board may send; `output` is an integer (hello) or an array
/// (inference), so it decodes either way.
private struct WireLine: Decodable {
    enum Output: Decodable {
        case count(Int)
        case array([Int])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .count(n) } else { self = .array(try c.decode([Int].self)) }
        }
        var count: Int? { if case .count(let n) = self { return n } else { return nil } }
        var bytes: [Int8]? {
            guard case .array(let a) = self, a.allSatisfy({ (-128...127).contains($0) }) else { return nil }
            return a.map { Int8($0) }
        }
    }
    var event: String?
    var `protocol`: Int?
    var firmware: String?
    var model: String?
    var board: String?
    var input: Int?
    var output: Output?
    var arena: Int?
    var clock_hz: Int?
    var ticks: Int64?
    var message: String?
}
