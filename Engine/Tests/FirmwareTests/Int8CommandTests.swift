// The int8 commands end to end: a checkpoint is exported to .tflite, C and Arduino, inspected,
// and run on PNG files; `run` agrees with the runtime on the same quantised pixels.

import EngineCommands
import Foundation
import Imaging
import Int8Inference
import NeuralNet
import Testing
import TFLite
import TrainingData

@Suite(
    "Int8 commands",
    .enabled(
        if: ProcessInfo.processInfo.environment["CI"] == "true" || FashionMNIST.isAvailable(),
        "needs dataset-fashion-mnist"))
struct Int8CommandTests {
    @Test func exportInspectAndRun() throws {
        // setup: a briefly trained workload-A checkpoint and two PNG test images
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (train, test) = try FashionMNIST.load(trainLimit: 3000, testLimit: 2)
        let model = Model(architecture: ModelZoo.tinyCNN(), seed: 1, labels: FashionMNIST.classNames)
        _ = Trainer(model: model, configuration: TrainingConfiguration(epochs: 1, batchSize: 64, seed: 1)).fit(
            train: train)
        let checkpoint = dir.appendingPathComponent("fashion.mnnw")
        try Checkpoint.save(model, to: checkpoint)
        var images: [String] = []
        for i in 0..<2 {
            let pixels = test.images.data[(i * 784)..<((i + 1) * 784)].map { UInt8(($0 * 255).rounded()) }
            let url = dir.appendingPathComponent("image\(i).png")
            try Image(width: 28, height: 28, channels: 1, pixels: pixels).pngData().write(to: url)
            images.append(url.path)
        }
        let tflite = dir.appendingPathComponent("fashion.tflite").path
        // act
        for (format, out) in [
            ("tflite", tflite), ("c", dir.appendingPathComponent("fashion.zip").path),
            ("arduino", dir.appendingPathComponent("arduino.zip").path),
        ] {
            var export = try ExportModel.parse([
                "--checkpoint", checkpoint.path, "--calibration", FashionMNIST.defaultDirectory,
                "--calibration-count", "200", "--format", format, "-o", out,
            ])
            try export.run()
        }
        var inspect = try InspectModel.parse([tflite, "--json"])
        try inspect.run()
        let results = try RunModel.results(modelPath: tflite, images: images)
        // check
        let int8 = try TFLiteReader.read(contentsOf: tflite)
        #expect(int8.labels == FashionMNIST.classNames)
        #expect(int8.preprocessing == model.preprocessing)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("arduino.zip").path))
        let runtime = try Int8Runtime(int8)
        for (i, result) in results.enumerated() {
            let expected = runtime.run(int8.quantizeInput(Array(test.images.data[(i * 784)..<((i + 1) * 784)])))
            #expect(result.output == expected)
            #expect(result.scores == int8.dequantizeOutput(expected))
            #expect(result.label == FashionMNIST.classNames[result.index])
        }
        #expect(throws: (any Error).self) {
            try RunModel.results(modelPath: tflite, images: [dir.appendingPathComponent("missing.png").path])
        }
    }

    @Test func exportRejectsUnknownBoardAndFormat() {
        #expect(throws: (any Error).self) {
            try ExportModel.parse(["--checkpoint", "x", "--calibration", "y", "-o", "z", "--format", "onnx"])
        }
        #expect(throws: (any Error).self) {
            try ExportModel.parse(["--checkpoint", "x", "--calibration", "y", "-o", "z", "--board", "uno"])
        }
    }
}

@Suite struct Int8CommandHelpTests {
    @Test func helpNamesFormatsBoardsAndExamples() {
        let export = ExportModel.helpMessage()
        #expect(
            export.contains("tflite, c or arduino") && export.contains("nano33ble")
                && export.contains("Example: minnow export"))
        #expect(RunModel.helpMessage().contains("--json"))
        #expect(InspectModel.helpMessage().contains("Example: minnow inspect"))
    }
}
