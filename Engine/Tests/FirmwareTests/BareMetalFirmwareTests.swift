// The bare-metal protocol firmware on an emulated Cortex-M4 (qemu mps2-an386, `-kernel` boot,
// UART0 on pipes): it boots with the right firmware and model hashes, answers `infer` exactly
// as Int8Runtime does, reports deterministic ticks (also across the timer's wrap), answers bad
// commands with error lines and keeps going. Also a firmware that never boots (custom main).
// Flashing through gdb and the bridge are tested elsewhere (the server's bridge tests).

import Firmware
import Foundation
import Int8Inference
import Testing
import TFLite

@Suite("Bare-metal firmware", .enabled(if: EmulatorSupport.shouldRun, "\(EmulatorSupport.missing ?? "")"), .serialized)
struct BareMetalFirmwareTests {
    static let board = BoardProfile.named("mps2-an386")!

    @Test func bootsAndAnswersInferExactlyLikeTheRuntime() throws {
        // setup
        let (model, inputs) = EmulatorSupport.trained
        let image = try FirmwareBuilder.build(model, name: "stripes", board: Self.board)
        let runtime = try Int8Runtime(model)
        // act
        let session = try QEMUSession(elf: image.elf, machine: .mps2AN386)
        defer { session.stop() }
        let boot = try session.nextObject()
        var answers: [[String: Any]] = []
        for input in inputs.prefix(6) {
            session.send("infer " + input.map { String(format: "%02x", UInt8(bitPattern: $0)) }.joined())
            answers.append(try session.nextObject())
        }
        session.send("INFER " + String(repeating: "0", count: 2 * image.inputSize))
        let unknown = try session.nextObject()
        session.send("infer 00ff")
        let short = try session.nextObject()
        session.send("infer " + String(repeating: "zz", count: image.inputSize) + "\r")
        let notHex = try session.nextObject()
        session.send(String(repeating: "x", count: 4 * image.inputSize))
        let long = try session.nextObject()
        session.send("info\r")
        let info = try session.nextObject()
        // three commands in one write, longer than the board's 256-byte receive ring together
        let hex = inputs.suffix(3).map { "infer " + $0.map { String(format: "%02x", UInt8(bitPattern: $0)) }.joined() }
        session.send(hex.joined(separator: "\n"))
        let pipelined = try (0..<3).map { _ in try session.nextObject() }
        session.send("infer " + inputs[0].map { String(format: "%02X", UInt8(bitPattern: $0)) }.joined())
        let afterErrors = try session.nextObject()
        // check
        #expect(boot["event"] as? String == "boot")
        #expect(boot["protocol"] as? Int == 1)
        #expect(boot["firmware"] as? String == image.firmwareHash)
        #expect(boot["model"] as? String == SHA256.hex(try TFLiteWriter.serialize(model)))
        #expect(boot["model"] as? String == image.modelHash)
        #expect(boot["board"] as? String == "mps2-an386")
        #expect(boot["input"] as? Int == 256 && image.inputSize == 256)
        #expect(boot["output"] as? Int == 4 && image.outputSize == 4)
        #expect(boot["arena"] as? Int == image.arenaSize)
        #expect(boot["clock_hz"] as? Int == 25_000_000)
        for (input, answer) in zip(inputs, answers) {
            #expect(answer["event"] as? String == "inference")
            #expect((answer["output"] as? [Int])?.map { Int8($0) } == runtime.run(input))
            #expect((answer["ticks"] as? Int ?? 0) > 1000)
        }
        for error in [unknown, short, notHex, long] { #expect(error["event"] as? String == "error", "\(error)") }
        #expect((short["message"] as? String)?.contains("512 hex characters, got 4") == true)
        #expect((notHex["message"] as? String)?.contains("not a hex digit") == true)
        #expect((long["message"] as? String)?.contains("too long") == true)
        #expect(info["event"] as? String == "info" && info["firmware"] as? String == image.firmwareHash)
        #expect(
            pipelined.map { ($0["output"] as? [Int])?.map { Int8($0) } } == inputs.suffix(3).map { runtime.run($0) })
        #expect((afterErrors["output"] as? [Int])?.map { Int8($0) } == runtime.run(inputs[0]))
    }

    @Test func ticksRepeatFromRunToRun() throws {
        // setup
        let (model, inputs) = EmulatorSupport.trained
        let image = try FirmwareBuilder.build(model, name: "stripes", board: Self.board)
        // act
        func ticks() throws -> [Int] {
            let session = try QEMUSession(elf: image.elf, machine: .mps2AN386)
            defer { session.stop() }
            _ = try session.nextObject()
            return try inputs.map { input in
                session.send("infer " + input.map { String(format: "%02x", UInt8(bitPattern: $0)) }.joined())
                return try session.nextObject()["ticks"] as? Int ?? -1
            }
        }
        let first = try ticks(), second = try ticks()
        // check
        print("ticks per inference on mps2-an386: \(first) (\(first.map { $0 * 40 }) instructions)")
        // Under -icount the board idles in WFI in real time, so where an inference starts within a
        // 40-instruction tick varies: counts repeat to a few ticks (LatencyProbe, which never idles, is exact).
        #expect(first.allSatisfy { $0 > 1000 })
        for (a, b) in zip(first, second) { #expect(abs(a - b) <= 4, "\(first) vs \(second)") }
    }

    @Test func tickCounterDurationsHoldAcrossItsWrap() throws {
        // setup: a busy loop timed with mn_ticks ten times; before the fourth, TIMER0 is set 3,000
        // ticks short of the 32-bit wrap so that this measurement spans it
        let main = """
            #include "board.h"
            #define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
            static volatile uint32_t sink;
            int main(void) {
                mn_board_init();
                for (int round = 0; round < 10; round++) {
                    if (round == 3) TIMER0_VALUE = 3000u;
                    uint32_t start = mn_ticks();
                    for (volatile uint32_t i = 0; i < 20000; i++) sink += i;
                    uint32_t end = mn_ticks();
                    mn_put_u64(start); mn_putc(' '); mn_put_u64(end); mn_putc(' '); mn_put_u64(end - start); mn_putc('\\n');
                }
                for (;;) {}
            }
            """
        let image = try FirmwareBuilder.link(["main.c": main], board: Self.board)
        // act
        let session = try QEMUSession(elf: image.elf, machine: .mps2AN386)
        defer { session.stop() }
        let rows = try (0..<10).map { _ in
            try #require(session.nextLine(timeout: 10)).split(separator: " ").map { UInt64($0)! }
        }
        // check
        let durations = rows.map { $0[2] }
        print("busy loop in ticks: \(durations); across the wrap: \(rows[3])")
        #expect(rows[3][1] < rows[3][0], "the fourth measurement spans the 32-bit wrap")
        #expect(durations.allSatisfy { $0 > 4000 && abs(Int($0) - Int(durations[0])) <= 1 }, "\(durations)")
    }

    @Test func firmwareThatNeverBootsPrintsNothing() throws {
        // setup: a custom main with the same board support that spins without a boot line
        let main = """
            #include "board.h"
            int main(void) { mn_board_init(); for (;;) {} }
            """
        let image = try FirmwareBuilder.link(["main.c": main], board: Self.board)
        // act
        let session = try QEMUSession(elf: image.elf, machine: .mps2AN386)
        defer { session.stop() }
        session.send("info")
        let line = session.nextLine(timeout: 1.5)
        // check
        #expect(line == nil)
        #expect(image.firmwareHash.count == 64 && image.firmwareHash.allSatisfy(\.isHexDigit))
    }

    @Test func firmwareHashCoversSourcesAndFlags() throws {
        // setup
        let main = "#include \"board.h\"\nint main(void) { mn_board_init(); mn_puts(\"hi\\n\"); for (;;) {} }\n"
        // act
        let a = try FirmwareBuilder.link(["main.c": main], board: Self.board)
        let b = try FirmwareBuilder.link(["main.c": main], board: Self.board)
        let changedSource = try FirmwareBuilder.link(["main.c": main + "\n"], board: Self.board)
        let changedFlags = try FirmwareBuilder.link(["main.c": main], board: Self.board, extraFlags: ["-DX=1"])
        let otherBoard = try FirmwareBuilder.link(["main.c": main], board: BoardProfile.named("mps2-an385")!)
        // check
        #expect(a.firmwareHash == b.firmwareHash)
        #expect(a.elf == b.elf, "builds are reproducible")
        #expect(
            Set([a.firmwareHash, changedSource.firmwareHash, changedFlags.firmwareHash, otherBoard.firmwareHash]).count
                == 4)
        #expect(String(decoding: a.elf, as: UTF8.self).contains(a.firmwareHash), "the hash is embedded in the image")
    }

    @Test func buildFromTFLiteBytesHashesExactlyThoseBytes() throws {
        // setup: the stored artifact's bytes, as the server keeps them
        let (model, _) = EmulatorSupport.trained
        let tflite = try TFLiteWriter.serialize(model)
        // act
        let fromBytes = try FirmwareBuilder.build(tflite: tflite, name: "stripes", board: Self.board)
        let fromModel = try FirmwareBuilder.build(model, name: "stripes", board: Self.board)
        // check
        #expect(fromBytes.modelHash == SHA256.hex(tflite))
        #expect(
            try TFLiteWriter.serialize(TFLiteReader.read(tflite)) == tflite,
            "Minnow's .tflite round-trips byte for byte")
        #expect(fromBytes.firmwareHash == fromModel.firmwareHash && fromBytes.elf == fromModel.elf)
    }

    @Test func onlyEmulatedBoardsHaveBareMetalFirmware() throws {
        #expect(
            BoardProfile.all.filter(FirmwareBuilder.canBuild).map(\.name) == ["mps2-an386", "mps2-an385", "mps2-an500"])
        #expect(throws: FirmwareBuildError.self) {
            try FirmwareBuilder.build(EmulatorSupport.trained.model, name: "m", board: BoardProfile.named("nano33ble")!)
        }
    }

    @Test(arguments: ["mps2-an385", "mps2-an500"])
    func otherMPS2CoresBootAndAgree(board: String) throws {
        // setup
        let (model, inputs) = EmulatorSupport.trained
        let profile = BoardProfile.named(board)!
        let image = try FirmwareBuilder.build(model, name: "stripes", board: profile)
        // act
        let session = try QEMUSession(elf: image.elf, machine: profile.latencyMachine!)
        defer { session.stop() }
        let boot = try session.nextObject()
        session.send("infer " + inputs[1].map { String(format: "%02x", UInt8(bitPattern: $0)) }.joined())
        let answer = try session.nextObject()
        // check
        #expect(boot["board"] as? String == board && boot["firmware"] as? String == image.firmwareHash)
        #expect((answer["output"] as? [Int])?.map { Int8($0) } == (try Int8Runtime(model)).run(inputs[1]))
    }

    /// The protocol main.c FirmwareBuilder.build links, for a variant built through `link`.
    static func protocolMainSource(model: Int8Model) throws -> String {
        FirmwareBuilder.protocolMain(
            name: "stripes", board: board, modelHash: SHA256.hex(try TFLiteWriter.serialize(model)),
            inputBytes: model.inputTensor.elementCount)
    }
}
