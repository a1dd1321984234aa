// Training end to end: Fashion-MNIST with tiny-cnn must reach 86% test accuracy in 2
// epochs; same seed → same weights; checkpoints reload to identical predictions; early
// stopping, cancellation and progress reports behave.

import Foundation
import Testing
@testable import NeuralNet
import TrainingData

@Suite("Training", .serialized)
struct TrainingTests {
    @Test("tiny-cnn reaches ≥ 86% on Fashion-MNIST after 2 epochs", .enabled(if: FashionMNIST.isAvailable()))
    func fashionMNIST() throws {
        // setup
        let (train, test) = try FashionMNIST.load()
        let model = Model(architecture: ModelZoo.tinyCNN(), seed: 1, labels: FashionMNIST.classNames)
        #expect(model.parameterCount == 12_810)
        let trainer = Trainer(
            model: model,
            configuration: TrainingConfiguration(
                epochs: 2, batchSize: 64, learningRate: 1e-3,
                optimizer: .adam, seed: 1))
        var reports = 0
        // act
        let history = trainer.fit(train: train, onProgress: { _ in reports += 1 })
        let report = model.report(on: test)
        // check
        print(
            "Fashion-MNIST tiny-cnn 2 epochs: test accuracy \(report.accuracy), \(Int(history.steadyImagesPerSecond)) images/s"
        )
        #expect(report.accuracy >= 0.86)
        #expect(history.epochs.count == 2 && history.epochs[1].trainLoss < history.epochs[0].trainLoss)
        #expect(reports >= 2 * 937 / 20)
        #expect(report.perClass.count == 10 && report.confusion.flatMap { $0 }.reduce(0, +) == 10_000)
    }

    static func smallProblem(seed: UInt64) -> LabeledImages {
        // Two classes: bright top half vs bright bottom half, with noise.
        var rng = SeededRandom(seed: seed)
        var pixels: [Float] = [], labels: [Int] = []
        for _ in 0..<256 {
            let label = rng.int(2)
            for y in 0..<8 {
                for _ in 0..<8 {
                    pixels.append((y < 4) == (label == 0) ? 0.8 + 0.2 * rng.normal() : 0.2 * rng.normal())
                }
            }
            labels.append(label)
        }
        return LabeledImages(images: Tensor(shape: [256, 8, 8, 1], data: pixels), labels: labels)
    }

    static let smallArchitecture = Architecture(
        name: "small", inputHeight: 8, inputWidth: 8, inputChannels: 1, classes: 2,
        layers: [
            .conv2d(filters: 4, kernel: 3, stride: 1, padding: .same, bias: true),
            .batchNorm(momentum: 0.9, epsilon: 1e-3),
            .relu, .maxPool(size: 2, stride: 2, padding: .valid), .flatten, .dropout(rate: 0.2),
            .linear(units: 2, bias: true),
        ])

    @Test("Same seed gives identical weights; another seed does not")
    func determinism() {
        func run(_ seed: UInt64) -> [[Float]] {
            let model = Model(architecture: Self.smallArchitecture, seed: seed)
            let config = TrainingConfiguration(
                epochs: 2, batchSize: 32, seed: seed, augmentation: Augmentation(maxTranslation: 1, noise: 0.05))
            _ = Trainer(model: model, configuration: config).fit(train: Self.smallProblem(seed: 1))
            return model.snapshot()
        }
        #expect(run(5) == run(5))
        #expect(run(5) != run(6))
    }

    @Test("A checkpoint reloads to identical predictions; bad files give clear errors")
    func checkpointRoundTrip() throws {
        // setup
        let model = Model(
            architecture: Self.smallArchitecture, seed: 3, labels: ["top", "bottom"],
            preprocessing: Preprocessing(color: .grayscale, resizeMode: .letterbox, mean: [0.5], std: [0.25]))
        _ = Trainer(model: model, configuration: TrainingConfiguration(epochs: 1, batchSize: 32)).fit(
            train: Self.smallProblem(seed: 2))
        let data = try Checkpoint.encode(model, metadata: ["seed": "3"])
        // act
        let (loaded, metadata) = try Checkpoint.decode(data)
        // check
        let probe = Self.smallProblem(seed: 9).images
        #expect(loaded.predict(probe) == model.predict(probe))
        #expect(loaded.labels == ["top", "bottom"] && metadata["seed"] == "3")
        #expect(loaded.preprocessing == model.preprocessing && loaded.architecture == model.architecture)
        var wrongMagic = data
        wrongMagic[0] = UInt8(ascii: "X")
        #expect(throws: CheckpointError.notACheckpoint) { try Checkpoint.decode(wrongMagic) }
        var wrongVersion = data
        wrongVersion[4] = 9
        #expect(throws: CheckpointError.unsupportedVersion(found: 9, supported: 1)) {
            try Checkpoint.decode(wrongVersion)
        }
        #expect(throws: CheckpointError.self) { try Checkpoint.decode(data.prefix(data.count - 3)) }
        #expect("\(CheckpointError.unsupportedVersion(found: 9, supported: 1))".contains("retrain"))
    }

    @Test("Early stopping, best-epoch restore and cancellation")
    func stoppingAndCancel() {
        let data = Self.smallProblem(seed: 4)
        let (train, validation) = data.split(fraction: 0.25, seed: 1)
        // A learning rate of 0 cannot improve on the first epoch → stops after `patience` more.
        // (No batch norm here: its running statistics would still move with a zero rate.)
        let plain = Architecture(
            name: "plain", inputHeight: 8, inputWidth: 8, inputChannels: 1, classes: 2,
            layers: [.flatten, .linear(units: 2, bias: true)])
        let frozen = Model(architecture: plain, seed: 1)
        let history = Trainer(
            model: frozen,
            configuration: TrainingConfiguration(
                epochs: 10, batchSize: 32, learningRate: 0,
                earlyStoppingPatience: 2)
        )
        .fit(train: train, validation: validation)
        #expect(history.stopReason == .earlyStopped && history.epochs.count == 3 && history.bestEpoch == 1)
        // Cancellation between steps.
        var steps = 0
        let cancelled = Trainer(
            model: Model(architecture: Self.smallArchitecture, seed: 1),
            configuration: TrainingConfiguration(epochs: 5, batchSize: 32)
        )
        .fit(
            train: train,
            shouldCancel: {
                steps += 1; return steps > 3
            })
        #expect(cancelled.stopReason == .cancelled && cancelled.stepLosses.count == 3)
    }

    @Test("Architectures round-trip through JSON and the zoo builds valid models")
    func zoo() throws {
        let tiny = try ModelZoo.architecture(named: "tiny-cnn", height: 28, width: 28, color: .grayscale, classes: 10)
        let decoded = try JSONDecoder().decode(Architecture.self, from: JSONEncoder().encode(tiny))
        #expect(decoded == tiny)
        let mobile = Model(
            architecture: try ModelZoo.architecture(
                named: "mobilenet-v1", height: 96, width: 96, color: .grayscale,
                classes: 2, alpha: 0.25))
        #expect(mobile.outputShape(batch: 3) == [3, 2])
        #expect(mobile.parameterCount > 200_000 && mobile.parameterCount < 230_000)  // Keras: 218,018 trainable + BN
        let fomo = Model(
            architecture: try ModelZoo.architecture(named: "fomo", height: 96, width: 96, color: .rgb, classes: 3))
        #expect(fomo.outputShape(batch: 1) == [1, 12, 12, 3])
        #expect(throws: ModelZoo.ZooError.self) {
            try ModelZoo.architecture(named: "resnet", height: 32, width: 32, color: .rgb, classes: 2)
        }
        #expect(throws: ModelZoo.ZooError.self) {
            try ModelZoo.architecture(named: "mobilenet-v1", height: 200, width: 200, color: .rgb, classes: 2)
        }
    }

    @Test("Metrics: confusion matrix and per-class precision/recall/F1")
    func metrics() {
        let report = ClassificationReport(
            truth: [0, 0, 1, 1, 2], predicted: [0, 1, 1, 1, 0], labels: ["a", "b", "c"])
        #expect(report.accuracy == 0.6)
        #expect(report.confusion == [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
        #expect(report.perClass[1].precision == 2.0 / 3 && report.perClass[1].recall == 1)
        #expect(report.perClass[0].f1 == 0.5 && report.perClass[2].f1 == 0)
    }
}
