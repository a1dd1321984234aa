// The serial port and the board connection over a real pty: lines both ways, noise skipped,
// `\r\n` handling, timeouts that return on time, symlinked paths, and an unplugged board
// (pty master closed) reported as `disconnected` promptly instead of a hang or a spin.
import XCTest
@testable import MinnowBridge

final class SerialPortTests: XCTestCase {
    func testLinesBothWays() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath)
        pty.send("hello\r\nwor")
        XCTAssertEqual(try port.readLine(timeout: 2), "hello")
        pty.send("ld\n")
        XCTAssertEqual(try port.readLine(timeout: 2), "world")
        try port.writeLine("info")
        var buf = [UInt8](repeating: 0, count: 16)
        var p = pollfd(fd: pty.master, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&p, 1, 2000), 1)
        let n = read(pty.master, &buf, 16)
        XCTAssertEqual(String(decoding: buf[0..<max(0, n)], as: UTF8.self), "info\n")
    }

    func testTimeoutReturnsOnTime() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath)
        let start = Date()
        XCTAssertThrowsError(try port.readLine(timeout: 0.3)) { error in
            XCTAssertEqual(error as? SerialPortError, .timedOut(path: pty.slavePath, seconds: 0.3))
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(elapsed, 0.29)
        XCTAssertLessThan(elapsed, 1.0)
    }

    func testUnpluggedBoardIsDisconnectedNotAHang() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath)
        pty.send("last words\n")
        XCTAssertEqual(try port.readLine(timeout: 2), "last words")
        pty.closeMaster()
        let start = Date()
        XCTAssertThrowsError(try port.readLine(timeout: 10)) { error in
            XCTAssertEqual(error as? SerialPortError, .disconnected(path: pty.slavePath))
            XCTAssertTrue("\(error)".contains("disconnected"))
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        XCTAssertThrowsError(try port.writeLine("info"))
        port.close()
        XCTAssertThrowsError(try port.readLine(timeout: 1)) {
            XCTAssertEqual($0 as? SerialPortError, .closed(path: pty.slavePath))
        }
    }

    func testOpensThroughSymlinksAndRejectsNonTTYs() throws {
        let pty = try PtyPair()
        let link = NSTemporaryDirectory() + "minnow-link-\(UUID().uuidString)"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: pty.slavePath)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let port = try SerialPort(path: link)
        XCTAssertEqual(port.resolvedPath, pty.slavePath)
        XCTAssertEqual(port.path, link)

        XCTAssertThrowsError(try SerialPort(path: "/nonexistent/ttyACM9")) { error in
            guard case SerialPortError.openFailed = error else { return XCTFail("\(error)") }
        }
        let file = NSTemporaryDirectory() + "minnow-notatty-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertThrowsError(try SerialPort(path: file)) { error in
            XCTAssertTrue("\(error)".contains("not a terminal"), "\(error)")
        }
    }

    func testConnectionSkipsNoiseAndKeepsATranscript() throws {
        let pty = try PtyPair()
        let fw = String(repeating: "1", count: 64)
        pty.respond { line in
            switch line {
            case "info": return helloLine("info", firmware: fw)
            case "infer 01020304": return #"{"event":"inference","output":[1,4],"ticks":42}"#
            default: return #"{"event":"error","message":"unknown command"}"#
            }
        }
        let connection = BoardConnection(port: try SerialPort(path: pty.slavePath))
        pty.send("bootloader v1.2 ready\r\n" + helloLine("boot", firmware: fw) + "\r\n")
        let hello = try connection.waitForHello(timeout: 2)
        XCTAssertEqual(hello.kind, .boot)
        XCTAssertEqual(hello.firmware, fw)
        XCTAssertEqual(try connection.info().kind, .info)
        XCTAssertEqual(try connection.infer([1, 2, 3, 4]), BoardInference(output: [1, 4], ticks: 42))
        XCTAssertThrowsError(try connection.infer([9], timeout: 2)) { error in
            XCTAssertEqual(error as? BoardConnectionError, .boardError("unknown command"))
        }
        let transcript = connection.transcript
        XCTAssertTrue(transcript.contains { $0.hasSuffix("< bootloader v1.2 ready") }, "\(transcript)")
        XCTAssertTrue(transcript.contains { $0.hasSuffix("> info") })
        XCTAssertTrue(transcript.contains { $0.hasSuffix("> infer 01020304") })
        XCTAssertEqual(transcript.count, 8)
        pty.send("noise\n" + #"{"event":"inference","output":[5],"ticks":1}"# + "\n")
        XCTAssertNil(try connection.next(timeout: 2))
        XCTAssertEqual(try connection.next(timeout: 2), .inference(BoardInference(output: [5], ticks: 1)))
        XCTAssertThrowsError(try connection.next(timeout: 0.1)) {
            XCTAssertEqual($0 as? BoardConnectionError, .timedOut(waitingFor: "line", seconds: 0.1))
        }
        pty.closeMaster()
    }
}
