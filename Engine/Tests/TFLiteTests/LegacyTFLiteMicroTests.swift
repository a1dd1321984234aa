// TFLite Micro before September 2024 (PyPI tflite-micro 0.dev20240507161559, the era of the
// Arduino library) reads only the first scale of a per-channel FULLY_CONNECTED weight. Minnow
// therefore writes per-tensor FC weights by default: that old TFLM gives byte-identical outputs
// to Int8Runtime on them, and the test shows it does not on the same model quantised per
// channel (so the check can fail). Runs tests/reference/run_reference.py in .venv-tflm2024
// (`make venv-tflm2024`); skipped with the reason without it, failing in CI.

import Foundation
import Int8Inference
import NeuralNet
import Testing
import TFLite

enum LegacyTFLM {
    static let python =
        ProcessInfo.processInfo.environment["MINNOW_TFLM2024_PYTHON"] ?? ReferenceTools.root
        + "/.venv-tflm2024/bin/python"
    static let shouldRun = ReferenceTools.isCI || FileManager.default.isExecutableFile(atPath: python)

    /// Outputs of the May 2024 TFLite Micro for `inputs`.
    static func run(_ model: [UInt8], inputs: [[Int8]]) throws -> [[Int8]] {
        try ReferenceTools.run(
            engine: "tflm", model: model, inputs: inputs, interpreter: python,
            environment: ["PYTHONPATH": ReferenceTools.root + "/tests/reference/tflm2024_shim"])
    }
}

@Suite(
    "TFLite Micro 2024 (first FC scale only)",
    .enabled(if: LegacyTFLM.shouldRun, "needs .venv-tflm2024 (make venv-tflm2024)"))
struct LegacyTFLiteMicroTests {
    /// A small CNN with two FULLY_CONNECTED layers whose rows have very different ranges, and inputs.
    static func model(perChannelFC: Bool) throws -> (Int8Model, [[Int8]]) {
        let arch = Architecture(
            name: "fc", inputHeight: 8, inputWidth: 8, inputChannels: 1, classes: 6,
            layers: [
                .conv2d(filters: 4, kernel: 3, stride: 1, padding: .same, bias: true), .relu,
                .maxPool(size: 2, stride: 2, padding: .valid),
                .flatten, .linear(units: 12, bias: true), .relu, .linear(units: 6, bias: true),
            ])
        let model = Model(architecture: arch, seed: 11, labels: (0..<6).map { "c\($0)" })
        var rng = SeededRandom(seed: 4)
        let images = Tensor(shape: [64, 8, 8, 1], data: (0..<(64 * 64)).map { _ in rng.uniform(0, 1) })
        let int8 = try PostTrainingQuantizer.quantize(
            model, calibration: images,
            options: QuantizationOptions(perChannelFullyConnected: perChannelFC))
        let inputs = (0..<64).map { int8.quantizeInput(Array(images.data[($0 * 64)..<(($0 + 1) * 64)])) }
        return (int8, inputs)
    }

    @Test func perTensorFullyConnectedGivesTheSameBytesOnOldTFLiteMicro() throws {
        // setup
        let (int8, inputs) = try Self.model(perChannelFC: false)
        // act
        let old = try LegacyTFLM.run(try TFLiteWriter.serialize(int8), inputs: inputs)
        // check
        let fcWeights = int8.nodes.filter { if case .fullyConnected = $0.op { true } else { false } }.map {
            int8.tensors[$0.inputs[1]]
        }
        #expect(fcWeights.count == 2 && fcWeights.allSatisfy { $0.quantization?.scales.count == 1 })
        #expect(old == inputs.map(try Int8Runtime(int8).run))
    }

    @Test func perChannelFullyConnectedDiffersOnOldTFLiteMicro() throws {
        // setup: the same model quantised per channel, as TensorFlow's converter does
        let (int8, inputs) = try Self.model(perChannelFC: true)
        // act
        let old = try LegacyTFLM.run(try TFLiteWriter.serialize(int8), inputs: inputs)
        let roundTrip = try TFLiteReader.read(try TFLiteWriter.serialize(int8))
        // check: the runtime still reads and runs per-channel FC; the old TFLM answers differently
        let runtime = try Int8Runtime(roundTrip)
        print(
            "per-channel FC on TFLite Micro 2024 vs Int8Runtime: \(ReferenceTools.compare(old, inputs.map(runtime.run)))"
        )
        #expect(inputs.map(runtime.run) == inputs.map(try Int8Runtime(int8).run))
        #expect(
            ReferenceTools.compare(old, inputs.map(runtime.run)).differingFraction > 0,
            "the old kernel uses only the first scale")
    }
}
