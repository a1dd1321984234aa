// The generated C, compiled with the host `cc` (-std=c99 -Wall -Wextra -Werror -pedantic),
// gives byte-identical outputs to the Swift int8 runtime on real inputs, for a TensorFlow-made
// model and for a quantised model with depthwise, average pooling and mean; it also compiles
// warning-free for Cortex-M4 with Debian's arm-none-eabi-gcc.

import Firmware
import Foundation
import Int8Inference
import NeuralNet
import Testing
import TFLite
import TrainingData

@Suite("Generated C") struct GeneratedCTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let harness = #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include "model.h"
        int main(int argc, char **argv) {
            FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
            int8_t input[MODEL_INPUT_SIZE], output[MODEL_OUTPUT_SIZE];
            (void)argc;
            if (!in || !out || model_init() != 0) return 1;
            while (fread(input, 1, sizeof input, in) == sizeof input) {
                if (model_invoke(input, output) != 0) return 2;
                fwrite(output, 1, sizeof output, out);
            }
            fclose(in); fclose(out);
            return 0;
        }
        """#

    /// Compiles `library` with a harness, runs `inputs` through it, returns the outputs.
    static func runCompiled(_ library: CLibrary, inputs: [[Int8]]) throws -> [[Int8]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-c-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try library.header.write(to: dir.appendingPathComponent("model.h"), atomically: true, encoding: .utf8)
        try library.source.write(to: dir.appendingPathComponent("model.c"), atomically: true, encoding: .utf8)
        try harness.write(to: dir.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        try Data(inputs.flatMap { $0.map { UInt8(bitPattern: $0) } }).write(to: dir.appendingPathComponent("in.bin"))
        let binary = dir.appendingPathComponent("model").path
        try shell(
            "cc",
            [
                "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", binary,
                dir.appendingPathComponent("model.c").path, dir.appendingPathComponent("main.c").path,
            ])
        try shell(binary, [dir.appendingPathComponent("in.bin").path, dir.appendingPathComponent("out.bin").path])
        let raw = try [UInt8](Data(contentsOf: dir.appendingPathComponent("out.bin"))).map { Int8(bitPattern: $0) }
        let size = raw.count / max(1, inputs.count)
        return (0..<inputs.count).map { Array(raw[($0 * size)..<(($0 + 1) * size)]) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    @discardableResult
    static func shell(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : "/usr/bin/env")
        process.arguments = tool.hasPrefix("/") ? arguments : [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) failed (\(process.terminationStatus)): \(output.suffix(3000))")
        }
        return output
    }

    @Test func tensorFlowModelMatchesSwiftRuntimeByteForByte() throws {
        // setup
        let model = try TFLiteReader.read(contentsOf: Self.root + "/Engine/Tests/Fixtures/fashion_tf_int8.tflite")
        let test = try FashionMNIST.load(trainLimit: 1, testLimit: 200).test
        let inputs = (0..<test.count).map {
            model.quantizeInput(Array(test.images.data[($0 * 784)..<(($0 + 1) * 784)]))
        }
        // act
        let library = try CGenerator.generate(model, name: "model")
        let compiled = try Self.runCompiled(library, inputs: inputs)
        // check
        let runtime = try Int8Runtime(model)
        #expect(compiled == inputs.map(runtime.run))
        #expect(library.arenaSize <= runtime.arenaSize, "C needs no convolution scratch")
    }

    @Test func depthwiseAveragePoolAndMeanMatchSwiftRuntime() throws {
        // setup
        let arch = Architecture(
            name: "mini", inputHeight: 12, inputWidth: 12, inputChannels: 3, classes: 5,
            layers: [
                .conv2d(filters: 8, kernel: 3, stride: 2, padding: .same, bias: true),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .depthwiseConv2d(kernel: 3, stride: 1, padding: .same, bias: true), .relu,
                .avgPool(size: 2, stride: 1, padding: .same), .globalAvgPool, .linear(units: 5, bias: true),
            ])
        let model = Model(architecture: arch, seed: 5, labels: ["a", "b", "c", "d", "e"])
        var rng = SeededRandom(seed: 2)
        let images = Tensor(shape: [40, 12, 12, 3], data: (0..<(40 * 432)).map { _ in rng.uniform(0, 1) })
        let int8 = try PostTrainingQuantizer.quantize(model, calibration: images)
        let inputs = (0..<40).map { int8.quantizeInput(Array(images.data[($0 * 432)..<(($0 + 1) * 432)])) }
        // act
        let compiled = try Self.runCompiled(try CGenerator.generate(int8, name: "model"), inputs: inputs)
        // check
        #expect(compiled == inputs.map(try Int8Runtime(int8).run))
    }

    /// TFLite Micro's own report of its arena for the same model (tests/reference/run_reference.py).
    static func tflmArenaBytes(_ modelPath: String) throws -> Int {
        let python = ProcessInfo.processInfo.environment["MINNOW_PYTHON"] ?? root + "/.venv/bin/python"
        let output = try shell(python, [root + "/tests/reference/run_reference.py", "--tflm-arena", modelPath])
        let lastLine = output.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Int]
        guard let bytes = object?["arena_bytes"] else { throw Failure(description: "no arena_bytes in \(output)") }
        return bytes
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["CI"] == "true"
                || FileManager.default.isExecutableFile(atPath: root + "/.venv/bin/python"), "needs .venv (make venv)"))
    func arenaIsAtMostSixtyPercentOfTFLiteMicros() throws {
        // setup
        let path = Self.root + "/Engine/Tests/Fixtures/fashion_tf_int8.tflite"
        // act
        let library = try CGenerator.generate(try TFLiteReader.read(contentsOf: path), name: "model")
        let tflm = try Self.tflmArenaBytes(path)
        // check
        print("generated C arena \(library.arenaSize) B, TFLite Micro arena \(tflm) B")
        #expect(library.arenaSize * 10 <= tflm * 6)
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["CI"] == "true"
                || FileManager.default.fileExists(atPath: "/usr/bin/arm-none-eabi-gcc"),
            "needs gcc-arm-none-eabi (scripts/install-deps.sh test)"))
    func compilesWarningFreeForCortexM4() throws {
        // setup
        let model = try TFLiteReader.read(contentsOf: Self.root + "/Engine/Tests/Fixtures/fashion_tf_int8.tflite")
        let library = try CGenerator.generate(model, name: "fashion")
        // act
        let report = try BoardBuild.build(library, for: BoardProfile.named("nano33ble")!)
        // check
        #expect(report.flashBytes > 12_000, "weights are in flash")
        #expect(report.ramBytes >= library.arenaSize, "the arena is in RAM")
        #expect(report.fits)
    }
}

@Suite("Packages") struct PackageTests {
    @Test func cAndArduinoZipsUnpackAndTheCCompiles() throws {
        // setup
        let model = try TFLiteReader.read(
            contentsOf: GeneratedCTests.root + "/Engine/Tests/Fixtures/fashion_tf_int8.tflite")
        let library = try CGenerator.generate(model, name: "fashion")
        let sample = [Int8](repeating: -128, count: 784)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // act
        try Data(Packages.cLibraryZip(library)).write(to: dir.appendingPathComponent("c.zip"))
        try Data(Packages.arduinoLibraryZip(library, sampleInput: sample, sampleLabel: "Sneaker")).write(
            to: dir.appendingPathComponent("arduino.zip"))
        try GeneratedCTests.shell("unzip", ["-q", "-o", dir.appendingPathComponent("c.zip").path, "-d", dir.path])
        let listing = try GeneratedCTests.shell("unzip", ["-Z1", dir.appendingPathComponent("arduino.zip").path])
        // check
        #expect(
            listing.split(separator: "\n").sorted() == [
                "Minnow_fashion/examples/Minnow_fashionDemo/Minnow_fashionDemo.ino",
                "Minnow_fashion/library.properties", "Minnow_fashion/src/fashion.c", "Minnow_fashion/src/fashion.h",
            ])
        try GeneratedCTests.shell("unzip", ["-tq", dir.appendingPathComponent("arduino.zip").path])
        try GeneratedCTests.shell(
            "cc",
            [
                "-std=c99", "-Wall", "-Werror", "-c", dir.appendingPathComponent("fashion/fashion.c").path,
                "-o", dir.appendingPathComponent("fashion.o").path,
            ])
        let readme = try String(contentsOf: dir.appendingPathComponent("fashion/README.md"), encoding: .utf8)
        #expect(readme.contains("fashion_invoke(input, output);"))
    }
}
