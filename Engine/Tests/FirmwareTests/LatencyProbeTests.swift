// Instructions per inference measured under qemu -icount shift=0 for every emulated CPU
// (M0+ code on the micro:bit's M0, M3 on mps2-an385, M4 on mps2-an386, M7 on mps2-an500):
// the probe's output equals Int8Runtime's, counts repeat exactly, the -O3 pragma is what is
// measured, board reports carry the measurement, and the fallback per-MAC table (LatencyEstimate)
// stays close to a fresh measurement of the Fashion-MNIST fixture. Not a hardware benchmark.

import Firmware
import Foundation
import Int8Inference
import NeuralNet
import Testing
import TFLite

@Suite("Latency probe", .enabled(if: EmulatorSupport.shouldRun, "\(EmulatorSupport.missing ?? "")"))
struct LatencyProbeTests {
    @Test(arguments: ["pico", "mps2-an385", "nano33ble", "portenta-h7"])
    func measuresEachCPUAndAgreesWithTheRuntime(boardName: String) throws {
        // setup
        let (model, inputs) = EmulatorSupport.trained
        let board = BoardProfile.named(boardName)!
        let library = try CGenerator.generate(model, name: "stripes")
        // act
        let first = try LatencyProbe.measure(
            library, flags: board.compilerFlags, machine: board.latencyMachine!, input: inputs[0])
        let again = try LatencyProbe.measure(
            library, flags: board.compilerFlags + ["-DNOT_CACHED"], machine: board.latencyMachine!, input: inputs[0])
        // check
        print(
            "\(boardName) (\(first.core) on \(first.machine)): \(first.instructions) instructions, \(first.ticks) ticks, "
                + "\(String(format: "%.2f", Double(first.instructions) / Double(library.macs))) per MAC (\(library.macs) MACs)"
        )
        #expect(first.output == (try Int8Runtime(model)).run(inputs[0]))
        #expect(first.ticks == again.ticks, "a run-to-completion probe under -icount is exact")
        #expect(first.machine == board.latencyMachine!.machine)
        #expect(first.instructions > library.macs, "at least one instruction per MAC")
        if board.latencyMachine == .microbit {
            // the same ARMv6-M code on mps2-an385 (its timer at a known 25 MHz) checks the micro:bit's 16 MHz
            let onM3 = try LatencyProbe.measure(
                library, flags: board.compilerFlags, machine: .mps2AN385, input: inputs[0])
            #expect(
                abs(onM3.instructions - first.instructions) <= 100,
                "\(onM3.instructions) on the M3 vs \(first.instructions)")
        }
    }

    @Test func modelTooBigForTheMicroBitIsMeasuredAsM0CodeOnTheM3() throws {
        // setup: an 18 KB activation, more than the micro:bit's 16 KB of RAM
        let arch = Architecture(
            name: "wide", inputHeight: 48, inputWidth: 48, inputChannels: 1, classes: 2,
            layers: [
                .conv2d(filters: 8, kernel: 3, stride: 1, padding: .same, bias: true), .relu, .globalAvgPool,
                .linear(units: 2, bias: true),
            ])
        var rng = SeededRandom(seed: 9)
        let images = Tensor(shape: [8, 48, 48, 1], data: (0..<(8 * 48 * 48)).map { _ in rng.uniform(0, 1) })
        let model = try PostTrainingQuantizer.quantize(
            Model(architecture: arch, seed: 2, labels: ["a", "b"]), calibration: images)
        let library = try CGenerator.generate(model, name: "wide")
        // act
        let measured = try LatencyProbe.measure(
            library, flags: BoardProfile.named("pico")!.compilerFlags, machine: .microbit)
        // check
        #expect(library.arenaSize > 16 << 10)
        #expect(measured.machine == "mps2-an385" && measured.core == "Cortex-M0 code on Cortex-M3")
        #expect(measured.output == (try Int8Runtime(model)).run(LatencyProbe.probeInput(count: library.inputSize)))
        #expect(measured.instructions == measured.ticks * 40, "converted at the M3's 25 MHz")
    }

    @Test func boardReportsCarryTheMeasurementAndSayHow() throws {
        // setup
        let (model, _) = EmulatorSupport.trained
        let library = try CGenerator.generate(model, name: "stripes")
        // act
        let m4 = try BoardBuild.build(library, for: BoardProfile.named("nano33ble")!)
        let esp = try BoardBuild.build(library, for: BoardProfile.named("esp32-s3")!)
        let offline = try BoardBuild.build(library, for: BoardProfile.named("nano33ble")!, measureLatency: false)
        // check
        #expect(m4.latencyMethod == .emulated)
        #expect(m4.latencyNote == "instructions on an emulated Cortex-M4 under qemu -icount, a lower bound on cycles")
        #expect(abs(m4.milliseconds - Double(m4.instructions) / 64_000) < 1e-9, "at 64 MHz")
        #expect(esp.latencyMethod == .estimated && esp.latencyNote.contains("no Xtensa LX7 emulator"))
        #expect(offline.latencyMethod == .estimated && offline.latencyNote.contains("qemu not installed"))
        let decoded = try JSONDecoder().decode(MemoryReport.self, from: JSONEncoder().encode(m4))
        #expect(decoded == m4)
    }

    @Test func theShippedPragmaIsWhatIsMeasured() throws {
        // setup: the same library with its -O3 pragma removed, so -Os applies
        let (model, _) = EmulatorSupport.trained
        let library = try CGenerator.generate(model, name: "stripes")
        var sizeOptimised = library
        sizeOptimised.source = library.source.replacingOccurrences(of: "#pragma GCC optimize(\"O3\")", with: "")
        let flags = BoardProfile.named("nano33ble")!.compilerFlags
        // act
        let o3 = try LatencyProbe.measure(library, flags: flags, machine: .mps2AN386)
        let os = try LatencyProbe.measure(sizeOptimised, flags: flags, machine: .mps2AN386)
        // check
        print("M4 probe: -O3 pragma \(o3.instructions), -Os \(os.instructions) instructions")
        #expect(library.source.contains("#pragma GCC optimize(\"O3\")"))
        #expect(o3.output == os.output)
        #expect(o3.instructions * 2 < os.instructions, "the pragma at least halves the instructions")
    }

    @Test(arguments: ["Cortex-M0", "Cortex-M3", "Cortex-M4", "Cortex-M7"])
    func fallbackTableMatchesTheFashionFixture(core: String) throws {
        // setup
        let model = try TFLiteReader.read(
            contentsOf: GeneratedCTests.root + "/Engine/Tests/Fixtures/fashion_tf_int8.tflite")
        let library = try CGenerator.generate(model, name: "fashion")
        let board = BoardProfile.all.first { $0.latencyMachine?.core == core }!
        // act
        let measured = try LatencyProbe.measure(library, flags: board.compilerFlags, machine: board.latencyMachine!)
        // check
        let perMAC = Double(measured.instructions) / Double(library.macs)
        print(
            "fashion fixture on \(measured.core) (\(board.name) flags): \(measured.instructions) instructions, "
                + "\(library.macs) MACs, \(String(format: "%.2f", perMAC)) per MAC")
        let table = LatencyEstimate.instructionsPerMAC[core]!
        #expect(
            abs(perMAC - table) <= 0.05 * table,
            "LatencyEstimate.instructionsPerMAC[\(core)] = \(table), measured \(perMAC)")
    }
}
