// Test helper: a pseudo-terminal pair standing in for a board's USB serial port. The test holds
// the master (the "board" side); the bridge opens the slave path. An optional responder thread
// plays a board that answers `info` (and `infer`) lines.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class PtyPair: @unchecked Sendable {
    private(set) var master: Int32
    let slavePath: String
    private let lock = NSLock()
    private var responder: Thread?
    private var stopResponder = false

    init() throws {
        // posix_openpt/unlockpt/ptsname are not in Swift's Glibc module: do what they do.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        guard master >= 0, ioctl(master, 0x4004_5431 /* TIOCSPTLCK */, &unlock) == 0,
            ioctl(master, 0x8004_5430 /* TIOCGPTN */, &number) == 0
        else {
            throw NSError(domain: "pty", code: Int(errno))
        }
        slavePath = "/dev/pts/\(number)"
        // Raw from the start, so nothing written before the bridge opens it is cooked or echoed.
        let s = open(slavePath, O_RDWR | O_NOCTTY)
        var t = termios()
        tcgetattr(s, &t)
        cfmakeraw(&t)
        tcsetattr(s, TCSANOW, &t)
        close(s)
    }

    deinit { closeMaster() }

    /// Writes `text` (add "\n" yourself) as the board.
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        lock.withLock { _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }
    }

    /// Unplugs the "board".
    func closeMaster() {
        lock.withLock { stopResponder = true }
        let fd = lock.withLock { () -> Int32 in
            let fd = master; master = -1; return fd
        }
        if fd >= 0 { close(fd) }
    }

    /// Starts a thread that reads lines from the bridge and answers them with `answer(line)`.
    func respond(_ answer: @escaping @Sendable (String) -> String?) {
        let fd = master
        let thread = Thread { [weak self] in
            var pending = [UInt8]()
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                guard let self, !self.lock.withLock({ self.stopResponder }) else { return }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 50) >= 0 else { return }
                if p.revents & Int16(POLLIN) == 0 { continue }
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { usleep(20_000); continue }  // EIO while no slave is open
                pending += buf[0..<n]
                while let nl = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[..<nl], as: UTF8.self)
                    pending.removeSubrange(...nl)
                    if let reply = answer(line) { self.send(reply + "\n") }
                }
            }
        }
        responder = thread
        thread.start()
    }
}

func helloLine(_ event: String, firmware: String, board: String = "mps2-an386") -> String {
    #"{"event":"\#(event)","protocol":1,"firmware":"\#(firmware)","model":"\#(String(repeating: "0", count: 64))","board":"\#(board)","input":4,"output":2,"arena":128,"clock_hz":25000000}"#
}
