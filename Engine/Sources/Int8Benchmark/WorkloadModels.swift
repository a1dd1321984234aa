// The int8 models of workload B and of the cameras' detector, made here so that
// benchmarks/int8/run can time them against LiteRT and TFLite Micro without a training run:
// seeded random weights, post-training quantisation calibrated on seeded random images.
// Latency does not depend on what the weights learned.

import Int8Inference
import NeuralNet
import TFLite

/// Architectures by benchmark name: workload B (MobileNetV1 α 0.25, 96×96 gray, 2 classes) and
/// the camera benchmark's FOMO (α 0.35, 96×96 gray, 2 classes).
let workloadArchitectures: [String: Architecture] = [
    "mobilenet-v1": ModelZoo.mobileNetV1(alpha: 0.25, height: 96, width: 96, channels: 1, classes: 2),
    "fomo": ModelZoo.fomo(alpha: 0.35, height: 96, width: 96, channels: 1, classes: 2),
]

/// Writes the int8 `.tflite` of the named workload architecture to `path`.
func writeWorkloadModel(named name: String, to path: String) throws {
    guard let architecture = workloadArchitectures[name] else {
        throw ValidationFailure(
            "unknown workload model '\(name)': use \(workloadArchitectures.keys.sorted().joined(separator: " or "))")
    }
    let model = Model(architecture: architecture, seed: 7)
    var random = SeededRandom(seed: 11)
    let shape = architecture.inputShape(batch: 64)
    let calibration = Tensor(
        shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float.random(in: 0...1, using: &random) })
    let int8 = try PostTrainingQuantizer.quantize(
        model, calibration: calibration, options: QuantizationOptions(calibrationCount: 64))
    try TFLiteWriter.write(int8, to: path)
}

struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
