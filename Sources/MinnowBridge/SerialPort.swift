// A serial port as the bridge uses it: open a tty path (symlinks such as /dev/serial/by-id/... or
// a socat `link=` are followed), set it raw 115200 8N1 without flow control, and read/write whole
// lines with poll(2) and explicit timeouts. A port whose other end is gone (a USB board unplugged,
// a pty master closed: EIO, POLLHUP, or a zero-length read) throws `SerialPortError.disconnected`
// at once instead of hanging or spinning. It is not a protocol: BoardConnection speaks to boards.
// One task uses a port at a time; an internal lock only keeps concurrent misuse memory-safe.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum SerialPortError: Error, Equatable, CustomStringConvertible, Sendable {
    case openFailed(path: String, reason: String)
    case configureFailed(path: String, reason: String)
    case disconnected(path: String)
    case timedOut(path: String, seconds: Double)
    case closed(path: String)
    case ioFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .openFailed(let p, let r): return "cannot open serial port \(p): \(r)"
        case .configureFailed(let p, let r): return "cannot configure serial port \(p): \(r)"
        case .disconnected(let p): return "serial port \(p) disconnected (board unplugged or its other end closed)"
        case .timedOut(let p, let s): return "no complete line from \(p) within \(formatSeconds(s))"
        case .closed(let p): return "serial port \(p) is closed"
        case .ioFailed(let p, let r): return "serial I/O on \(p) failed: \(r)"
        }
    }
}

public final class SerialPort: @unchecked Sendable {
    /// The path as given.
    public let path: String
    /// The path after following symlinks (what was opened).
    public let resolvedPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let lock = NSLock()
    /// A line longer than this is cut (a board never sends one; protects against a noisy line).
    public var maxLineLength = 1 << 16

    /// Opens `path` read/write, non-blocking, not as the controlling terminal, raw at `baud`.
    public init(path: String, baud: Int = 115_200) throws {
        self.path = path
        let resolved: String
        if let r = realpath(path, nil) { resolved = String(cString: r); free(r) } else { resolved = path }
        self.resolvedPath = resolved
        let fd = Glibc.open(resolved, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SerialPortError.openFailed(path: path, reason: errnoText()) }
        self.fd = fd
        do {
            try SerialPort.configure(fd: fd, baud: baud, path: path)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public var isOpen: Bool { lock.withLock { fd >= 0 } }

    public func close() {
        lock.withLock {
            if fd >= 0 { Glibc.close(fd); fd = -1 }
            buffer.removeAll()
        }
    }

    /// Writes `line` followed by `\n`, waiting (bounded by `timeout`) while the port is full.
    public func writeLine(_ line: String, timeout: Double = 5) throws {
        try lock.withLock {
            guard fd >= 0 else { throw SerialPortError.closed(path: path) }
            var bytes = Array(line.utf8)
            bytes.append(0x0a)
            let deadline = Deadline(seconds: timeout)
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n > 0 { offset += n; continue }
                let err = errno
                if n < 0 && (err == EAGAIN || err == EINTR) {
                    guard !deadline.expired else { throw SerialPortError.timedOut(path: path, seconds: timeout) }
                    if try waitFor(Int16(POLLOUT), deadline: deadline) == .hangUp {
                        throw SerialPortError.disconnected(path: path)
                    }
                    continue
                }
                if err == EIO || err == ENXIO || err == EPIPE { throw SerialPortError.disconnected(path: path) }
                throw SerialPortError.ioFailed(path: path, reason: String(cString: strerror(err)))
            }
        }
    }

    /// Returns the next line (without `\r\n`), waiting at most `timeout` seconds for it.
    public func readLine(timeout: Double) throws -> String {
        try lock.withLock {
            guard fd >= 0 else { throw SerialPortError.closed(path: path) }
            let deadline = Deadline(seconds: timeout)
            while true {
                if let line = takeLine() { return line }
                guard !deadline.expired else { throw SerialPortError.timedOut(path: path, seconds: timeout) }
                switch try waitFor(Int16(POLLIN), deadline: deadline) {
                case .ready: _ = try readAvailable()
                case .hangUp:
                    // Deliver what was received before the hang-up, then report it.
                    if try readAvailable() == 0 { throw SerialPortError.disconnected(path: path) }
                case .timedOut: break
                }
            }
        }
    }

    /// Discards everything received so far (buffered here and in the kernel). Returns the
    /// discarded lines, so a caller can still log them.
    @discardableResult
    public func drain() throws -> [String] {
        try lock.withLock {
            guard fd >= 0 else { throw SerialPortError.closed(path: path) }
            while try waitFor(Int16(POLLIN), deadline: Deadline(seconds: 0)) != .timedOut {
                if try readAvailable() == 0 { break }
            }
            var lines = [String]()
            while let line = takeLine() { lines.append(line) }
            if !buffer.isEmpty { lines.append(String(decoding: buffer, as: UTF8.self)); buffer.removeAll() }
            return lines
        }
    }

    // MARK: - internals (called with the lock held)

    private func takeLine() -> String? {
        if let nl = buffer.firstIndex(of: 0x0a) {
            var end = nl
            if end > 0 && buffer[end - 1] == 0x0d { end -= 1 }
            let line = String(decoding: buffer[..<end], as: UTF8.self)
            buffer.removeSubrange(...nl)
            return line
        }
        if buffer.count >= maxLineLength {
            let line = String(decoding: buffer, as: UTF8.self)
            buffer.removeAll()
            return line
        }
        return nil
    }

    /// Reads what the kernel has; returns the number of bytes read (0: nothing yet).
    private func readAvailable() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n]); total += n
                if n < chunk.count { return total } else { continue }
            }
            if n == 0 { throw SerialPortError.disconnected(path: path) }
            let err = errno
            if err == EAGAIN || err == EINTR { return total }
            if err == EIO || err == ENXIO || err == ENODEV { throw SerialPortError.disconnected(path: path) }
            throw SerialPortError.ioFailed(path: path, reason: String(cString: strerror(err)))
        }
    }

    private enum Readiness { case ready, hangUp, timedOut }

    /// Polls for `events` until the deadline. Hang-up or error is reported as `.hangUp` (the
    /// caller still reads what was received before it).
    private func waitFor(_ events: Int16, deadline: Deadline) throws -> Readiness {
        while true {
            var p = pollfd(fd: fd, events: events, revents: 0)
            let r = Glibc.poll(&p, 1, deadline.remainingMilliseconds)
            if r < 0 {
                if errno == EINTR { continue }
                throw SerialPortError.ioFailed(path: path, reason: errnoText())
            }
            if r == 0 { return .timedOut }
            if p.revents & Int16(POLLNVAL) != 0 { throw SerialPortError.closed(path: path) }
            if p.revents & Int16(POLLHUP | POLLERR) != 0 { return .hangUp }
            if p.revents & events != 0 { return .ready }
            return .timedOut
        }
    }

    private static func configure(fd: Int32, baud: Int, path: String) throws {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else {
            throw SerialPortError.configureFailed(path: path, reason: "not a terminal (\(errnoText()))")
        }
        cfmakeraw(&t)
        t.c_cflag &= ~(tcflag_t(CSIZE) | tcflag_t(PARENB) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS))
        t.c_cflag |= tcflag_t(CS8) | tcflag_t(CLOCAL) | tcflag_t(CREAD)
        t.c_iflag &= ~(tcflag_t(IXON) | tcflag_t(IXOFF) | tcflag_t(IXANY))
        let speed = speedConstant(baud)
        guard cfsetispeed(&t, speed) == 0, cfsetospeed(&t, speed) == 0 else {
            throw SerialPortError.configureFailed(path: path, reason: "unsupported baud rate \(baud)")
        }
        guard tcsetattr(fd, TCSANOW, &t) == 0 else {
            throw SerialPortError.configureFailed(path: path, reason: errnoText())
        }
    }

    static func speedConstant(_ baud: Int) -> speed_t {
        switch baud {
        case 1200: return speed_t(B1200)
        case 9600: return speed_t(B9600)
        case 19200: return speed_t(B19200)
        case 38400: return speed_t(B38400)
        case 57600: return speed_t(B57600)
        case 230400: return speed_t(B230400)
        case 460800: return speed_t(B460800)
        case 921600: return speed_t(B921600)
        default: return speed_t(B115200)
        }
    }
}

/// A point in monotonic time a wait must not pass.
struct Deadline {
    let end: UInt64
    init(seconds: Double) { end = Deadline.now() &+ UInt64(max(0, seconds) * 1e9) }
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
    var expired: Bool { Deadline.now() >= end }
    var remainingSeconds: Double { let n = Deadline.now(); return n >= end ? 0 : Double(end - n) / 1e9 }
    var remainingMilliseconds: Int32 {
        let n = Deadline.now()
        guard n < end else { return 0 }
        return Int32(min(Double(Int32.max), ((Double(end - n) / 1e6)).rounded(.up)))
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
}
