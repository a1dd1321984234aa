// Parsing and encoding of the board protocol (docs/board-protocol.md): every board line, noise,
// malformed objects, and the two host commands.
import XCTest
@testable import MinnowBridge

final class BoardProtocolTests: XCTestCase {
    let fw = String(repeating: "ab", count: 32)
    let model = String(repeating: "cd", count: 32)

    func testParsesTheDocumentedBootLine() {
        let line =
            #"{"event":"boot","protocol":1,"firmware":"\#(fw)","model":"\#(model)","board":"mps2-an386","input":784,"output":10,"arena":3504,"clock_hz":25000000}"#
        XCTAssertEqual(
            BoardLine.parse(line),
            .hello(
                BoardHello(
                    kind: .boot, protocolVersion: 1, firmware: fw, model: model, board: "mps2-an386",
                    input: 784, output: 10, arena: 3504, clockHz: 25_000_000)))
    }

    func testInfoIsTheBootObjectWithAnotherEvent() {
        let line =
            #"{"event":"info","protocol":1,"firmware":"\#(fw)","model":"\#(model)","board":"pico","input":4,"output":2,"arena":64,"clock_hz":125000000}"#
            + "\r"
        guard case .hello(let h) = BoardLine.parse(line) else { return XCTFail("not a hello") }
        XCTAssertEqual(h.kind, .info)
        XCTAssertEqual(h.board, "pico")
        XCTAssertEqual(h.clockHz, 125_000_000)
    }

    func testParsesInferenceAndError() {
        XCTAssertEqual(
            BoardLine.parse(#"{"event":"inference","output":[-128,-120,97,127],"ticks":411233}"#),
            .inference(BoardInference(output: [-128, -120, 97, 127], ticks: 411_233)))
        XCTAssertEqual(
            BoardLine.parse(#"  {"event":"error","message":"infer: expected 1568 hex characters"}"#),
            .error("infer: expected 1568 hex characters"))
    }

    func testIgnoresNoiseAndKeepsUnknownObjects() {
        XCTAssertNil(BoardLine.parse("ESP-ROM:esp32s3-20210327"))
        XCTAssertNil(BoardLine.parse(""))
        XCTAssertNil(BoardLine.parse("\u{0}\u{ff}garbage {\"event\":\"boot\"}"))
        XCTAssertEqual(
            BoardLine.parse(#"{"event":"observation","x":1}"#), .unrecognized(#"{"event":"observation","x":1}"#))
        XCTAssertEqual(
            BoardLine.parse(#"{"event":"boot","protocol":1}"#), .unrecognized(#"{"event":"boot","protocol":1}"#))
        XCTAssertEqual(
            BoardLine.parse(#"{"event":"inference","output":[1,300],"ticks":1}"#),
            .unrecognized(#"{"event":"inference","output":[1,300],"ticks":1}"#))
        XCTAssertEqual(BoardLine.parse("{not json"), .unrecognized("{not json"))
    }

    func testEncodesCommands() {
        XCTAssertEqual(BoardCommand.info.line, "info")
        XCTAssertEqual(BoardCommand.infer([0, 1, -1, 127, -128, 16]).line, "infer 0001ff7f8010")
        XCTAssertEqual(BoardCommand.infer([]).line, "infer ")
    }
}
