// `train-local`: its help text (product copy), argument validation, and an end-to-end run
// on a small folder-per-class PNG dataset written here.

import ArgumentParser
import Foundation
import Imaging
@testable import EngineCommands
import NeuralNet
import Testing

@Suite("train-local command")
struct TrainLocalTests {
    @Test("Help names every option a user needs, with an example")
    func help() {
        let help = TrainLocal.helpMessage(columns: 120)
        for option in [
            "--data <dir>", "--arch <name>", "--epochs", "--out <file>", "--size", "--color", "--resize",
            "--batch-size", "--learning-rate", "--optimizer", "--seed", "--json", "train/<class>",
        ] {
            #expect(help.contains(option), "help lacks \(option)")
        }
        #expect(help.contains("Example: minnow train-local"))
        #expect(EngineCommands.all.contains { $0 == TrainLocal.self })
    }

    @Test("Bad arguments are refused with a message that says what to do")
    func validation() {
        #expect(throws: (any Error).self) { try TrainLocal.parse(["--data", "x", "--out", "y", "--arch", "resnet"]) }
        do {
            _ = try TrainLocal.parse(["--data", "x", "--out", "y", "--arch", "fomo"])
            Issue.record("fomo accepted")
        } catch {
            #expect(TrainLocal.message(for: error).contains("detection project"))
        }
        #expect(throws: (any Error).self) { try TrainLocal.parse(["--data", "x", "--out", "y", "--size", "3x"]) }
        #expect(throws: (any Error).self) { try TrainLocal.parse(["--out", "y"]) }
    }

    @Test("Trains from a folder per class and writes a loadable checkpoint")
    func endToEnd() async throws {
        // setup: two classes of 20x20 PNGs, light left half vs light right half
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "minnow-train-local-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var rng = SeededRandom(seed: 1)
        for (label, name) in ["left", "right"].enumerated() {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for index in 0..<40 {
                var pixels = [UInt8](repeating: 0, count: 20 * 20)
                for y in 0..<20 {
                    for x in 0..<20 {
                        let bright = (x < 10) == (label == 0)
                        pixels[y * 20 + x] = UInt8(max(0, min(255, (bright ? 200 : 40) + Int(rng.normal() * 20))))
                    }
                }
                try Image(width: 20, height: 20, channels: 1, pixels: pixels).pngData()
                    .write(to: folder.appendingPathComponent("\(index).png"))
            }
        }
        try Data("not an image".utf8).write(to: root.appendingPathComponent("left/broken.png"))
        let out = root.appendingPathComponent("model.mnnw").path
        // act
        var command = try TrainLocal.parse([
            "--data", root.path, "--out", out, "--epochs", "3", "--size", "16",
            "--batch-size", "8", "--learning-rate", "0.01", "--seed", "2", "--json",
        ])
        try await command.run()
        // check
        let (model, metadata) = try Checkpoint.load(from: URL(fileURLWithPath: out))
        #expect(model.labels == ["left", "right"])
        #expect(model.architecture.inputHeight == 16 && model.architecture.name == "tiny-cnn")
        #expect(Float(metadata["testAccuracy"] ?? "0")! >= 0.9)
    }
}
