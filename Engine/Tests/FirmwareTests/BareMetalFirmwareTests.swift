// The bare-metal protocol firmware on an emulated Cortex-M4 (qemu mps2-an386, `-kernel` boot,
// UART0 on pipes): it boots with the right firmware and model hashes, answers `infer` exactly
// as Int8Runtime does, reports deterministic ticks (also across SysTick wraps), answers bad
// commands with error lines and keeps going. Also a firmware that never boots (custom main).
// Flashing through gdb and the bridge are tested elsewhere (the server's bridge tests).

import Firmware
import Foundation
import Int8
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
        #expect(pipelined.map { ($0["output"] as? [Int])?.map { Int8($0) } } == inputs.suffix(3).map { runtime.run($0) })
        #expect((afterErrors["output"] as? [Int])?.map { Int8($0) } == runtime.run(inputs[0]))
    }

    @Test func ticksRepeatAndAreCountedAcrossSysTickWraps() throws {
        // setup: the same model with the normal 24-bit reload, and with a reload of 256 ticks
        // (about ten wraps per inference) so that the wrap counting is exercised
        let (model, inputs) = EmulatorSupport.trained
        let image = try FirmwareBuilder.build(model, name: "stripes", board: Self.board)
        // act
        func ticks(_ elf: [UInt8]) throws -> [Int] {
            let session = try QEMUSession(elf: elf, machine: .mps2AN386)
            defer { session.stop() }
            _ = try session.nextObject()
            return try inputs.map { input in
                session.send("infer " + input.map { String(format: "%02x", UInt8(bitPattern: $0)) }.joined())
                return try session.nextObject()["ticks"] as? Int ?? -1
            }
        }
        let first = try ticks(image.elf), second = try ticks(image.elf)
        let library = try CGenerator.generate(model, name: "stripes")
        let sources = [library.headerFileName: library.header, library.sourceFileName: library.source,
                       "main.c": try Self.protocolMainSource(model: model)]
        let wrapping = try FirmwareBuilder.link(sources, board: Self.board, extraFlags: ["-DMN_SYSTICK_RELOAD=255u"])
        let wrapped = try ticks(wrapping.elf)
        // check
        print("ticks per inference on mps2-an386: \(first) (\(first.map { $0 * 40 }) instructions)")
        // Under -icount the board idles in WFI in real time, so where an inference starts within a
        // 40-instruction tick varies: counts repeat to a few ticks (LatencyProbe, which never idles, is exact).
        for (a, b) in zip(first, second) { #expect(abs(a - b) <= 4, "\(first) vs \(second)") }
        #expect(wrapped.count == inputs.count)
        for (a, b) in zip(first, wrapped) {
            #expect(b > 256 * 5, "the inference spans several wraps")
            #expect(abs(a - b) <= 4 + a / 100, "wrapped \(wrapped) within 1% of \(first) (the wrap handler adds a few instructions)")
        }
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
        #expect(Set([a.firmwareHash, changedSource.firmwareHash, changedFlags.firmwareHash, otherBoard.firmwareHash]).count == 4)
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
        #expect(try TFLiteWriter.serialize(TFLiteReader.read(tflite)) == tflite, "Minnow's .tflite round-trips byte for byte")
        #expect(fromBytes.firmwareHash == fromModel.firmwareHash && fromBytes.elf == fromModel.elf)
    }

    @Test func onlyEmulatedBoardsHaveBareMetalFirmware() throws {
        #expect(BoardProfile.all.filter(FirmwareBuilder.canBuild).map(\.name) == ["mps2-an386", "mps2-an385", "mps2-an500"])
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
        FirmwareBuilder.protocolMain(name: "stripes", board: board, modelHash: SHA256.hex(try TFLiteWriter.serialize(model)),
                                     inputBytes: model.inputTensor.elementCount)
    }
}
