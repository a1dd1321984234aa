// `minnow train-local`: train a model from a folder-per-class directory (or Fashion-MNIST
// IDX files) on this machine, without a server; prints per-epoch metrics and writes a
// checkpoint. With --json the last line is a machine-readable summary.

import ArgumentParser
import Dispatch
import Foundation
import Imaging
import NeuralNet
import TrainingData

public struct TrainLocal: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train-local",
        abstract: "Train an image model on this machine from a folder of labelled images.",
        discussion: """
            DIR holds one folder per class (DIR/cat/*.jpg, DIR/dog/*.png), optionally split into \
            DIR/train/<class>/ and DIR/test/<class>/. Without a test/ folder, --test-split of the \
            images is held out (seeded). A folder with Fashion-MNIST IDX files \
            (train-images-idx3-ubyte.gz, ...) also works.

            Example: minnow train-local --data ./flowers --arch mobilenet-v1 --size 96 --color rgb --epochs 20 --out flowers.mnnw
            """)

    @Option(name: .long, help: ArgumentHelp("Dataset directory (one folder per class).", valueName: "dir"))
    var data: String
    @Option(
        help: ArgumentHelp(
            "Architecture: \(ModelZoo.names.filter { $0 != "fomo" }.joined(separator: ", ")).", valueName: "name"))
    var arch: String = "tiny-cnn"
    @Option(help: "Training epochs.") var epochs: Int = 10
    @Option(name: .long, help: ArgumentHelp("Checkpoint file to write.", valueName: "file"))
    var out: String
    @Option(
        help: ArgumentHelp("Input size in pixels, N or WxH (default 28 for tiny-cnn, 96 otherwise).", valueName: "size")
    )
    var size: String?
    @Option(help: "Input colour: gray or rgb.") var color: String = "gray"
    @Option(help: "Resize mode: squash, crop (fit shorter side, centre crop) or letterbox.") var resize: String =
        "squash"
    @Option(help: "Width multiplier for mobilenet-v1 (0.1-1.0).") var alpha: Float = 0.25
    @Option(help: "Mini-batch size.") var batchSize: Int = 64
    @Option(help: "Learning rate.") var learningRate: Float = 1e-3
    @Option(help: "Optimiser: adam, adamw or sgd (momentum 0.9).") var optimizer: String = "adam"
    @Option(help: "Learning-rate schedule: constant, cosine or step (x0.5 every 10 epochs).") var schedule: String =
        "constant"
    @Option(help: "Epochs of linear learning-rate warm-up.") var warmupEpochs: Float = 0
    @Flag(help: "Augment the training split (flip, shift, small rotation, brightness/contrast, noise).") var augment =
        false
    @Option(help: "Stop after this many epochs without a better validation accuracy.") var patience: Int?
    @Option(help: "Fraction of the training split used for validation each epoch.") var validationSplit: Float = 0.1
    @Option(help: "Fraction held out as the test split when DIR has no test/ folder.") var testSplit: Float = 0.2
    @Option(help: "Random seed (initialisation, shuffling, augmentation, dropout).") var seed: UInt64 = 0
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(help: "End with one JSON line: testAccuracy, imagesPerSecond, parameters, ...") var json = false

    public init() {}

    public func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive") }
        guard ["gray", "grayscale", "rgb"].contains(color) else { throw ValidationError("--color must be gray or rgb") }
        guard ResizeMode(rawValue: resize) != nil else {
            throw ValidationError("--resize must be squash, crop or letterbox")
        }
        guard OptimizerKind.named(optimizer) != nil else {
            throw ValidationError("--optimizer must be adam, adamw or sgd")
        }
        guard LearningRateSchedule.Shape.named(schedule) != nil else {
            throw ValidationError("--schedule must be constant, cosine or step")
        }
        guard arch != "fomo" else {
            throw ValidationError(
                "fomo is a detector and needs object positions; train it from a detection project on the server")
        }
        guard ModelZoo.names.contains(arch) else {
            throw ValidationError(
                "unknown --arch '\(arch)'; choose one of: \(ModelZoo.names.filter { $0 != "fomo" }.joined(separator: ", "))"
            )
        }
        _ = try inputSize()
        guard (0..<1).contains(validationSplit), (0..<1).contains(testSplit) else {
            throw ValidationError("--validation-split and --test-split must be in [0, 1)")
        }
    }

    func inputSize() throws -> (width: Int, height: Int) {
        guard let size else { return arch == "tiny-cnn" ? (28, 28) : (96, 96) }
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard (parts.count == 1 || parts.count == 2), parts.allSatisfy({ $0 >= 8 && $0 <= 1024 }) else {
            throw ValidationError("--size must be N or WxH with sides from 8 to 1024, got '\(size)'")
        }
        return (parts[0], parts.count == 2 ? parts[1] : parts[0])
    }

    public func run() async throws {
        if let threads { Compute.configure(threads: threads) }
        let (width, height) = try inputSize()
        let colorMode: ColorMode = color == "rgb" ? .rgb : .grayscale
        let preprocessing = Preprocessing(color: colorMode, resizeMode: ResizeMode(rawValue: resize)!)
        let directory = URL(fileURLWithPath: data)
        let dataset: FolderDataset
        do {
            if FashionMNIST.isAvailable(in: directory.path) {
                let (train, test) = try FashionMNIST.load(from: directory.path)
                dataset = FolderDataset(train: train, test: test, labels: FashionMNIST.classNames, skipped: [])
            } else {
                dataset = try FolderDataset.load(
                    directory: directory, width: width, height: height, preprocessing: preprocessing,
                    testFraction: testSplit, seed: seed)
            }
        } catch {
            throw ValidationError("cannot load --data \(data): \(error)")
        }
        for skip in dataset.skipped.prefix(5) { printErr("skipped \(skip.path): \(skip.reason)") }
        if dataset.skipped.count > 5 { printErr("skipped \(dataset.skipped.count - 5) more unreadable files") }
        let imageShape = dataset.train.images.shape
        let architecture = try ModelZoo.architecture(
            named: arch, height: imageShape[1], width: imageShape[2],
            color: imageShape[3] == 1 ? .grayscale : .rgb,
            classes: dataset.labels.count, alpha: alpha)
        let model = Model(architecture: architecture, seed: seed, labels: dataset.labels, preprocessing: preprocessing)
        let (train, validation) =
            validationSplit > 0 && dataset.train.count >= 10
            ? dataset.train.split(fraction: validationSplit, seed: seed &+ 1) : (dataset.train, nil)
        let config = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize, learningRate: learningRate,
            optimizer: OptimizerKind.named(optimizer)!,
            schedule: LearningRateSchedule(LearningRateSchedule.Shape.named(schedule)!, warmupEpochs: warmupEpochs),
            seed: seed,
            earlyStoppingPatience: patience, augmentation: augment ? .standard(width: width) : nil)
        print(
            "training \(arch) (\(model.parameterCount) parameters) on \(train.count) images, \(dataset.labels.count) classes, "
                + "input \(imageShape[2])x\(imageShape[1])x\(imageShape[3]); validating on \(validation?.count ?? 0), testing on \(dataset.test.count)"
        )
        let start = DispatchTime.now().uptimeNanoseconds
        let history = Trainer(model: model, configuration: config).fit(
            train: train, validation: validation,
            onEpoch: { record in
                var line = String(
                    format: "epoch %d/%d  loss %.4f  accuracy %.2f%%", record.epoch, epochs, record.trainLoss,
                    record.trainAccuracy * 100)
                if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
                    line += String(format: "  val loss %.4f  val accuracy %.2f%%", loss, accuracy * 100)
                }
                line += String(format: "  %.0f images/s  %.1fs", record.imagesPerSecond, record.seconds)
                print(line)
            })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let report = dataset.test.count > 0 ? model.report(on: dataset.test) : nil
        if let report {
            print(
                String(
                    format: "test accuracy %.2f%% on %d images (best epoch %d, %@)", report.accuracy * 100,
                    dataset.test.count, history.bestEpoch, history.stopReason.rawValue))
            for metrics in report.perClass {
                print(
                    String(
                        format: "  %-20@ precision %.3f  recall %.3f  F1 %.3f  (%d)", metrics.label as NSString,
                        metrics.precision, metrics.recall, metrics.f1, metrics.support))
            }
        }
        do {
            try Checkpoint.save(
                model, to: URL(fileURLWithPath: out),
                metadata: [
                    "seed": "\(seed)", "epochs": "\(history.epochs.count)", "testAccuracy": "\(report?.accuracy ?? 0)",
                ])
        } catch {
            throw ValidationError("cannot write --out \(out): \(error.localizedDescription)")
        }
        print("wrote \(out)")
        if json {
            var summary: [String: Any] = [
                "testAccuracy": Double(report?.accuracy ?? 0), "imagesPerSecond": history.steadyImagesPerSecond,
                "parameters": model.parameterCount, "epochs": history.epochs.count, "bestEpoch": history.bestEpoch,
                "seconds": seconds, "architecture": arch, "checkpoint": out, "stopReason": history.stopReason.rawValue,
                "trainImages": train.count, "testImages": dataset.test.count, "classes": dataset.labels,
            ]
            if let last = history.epochs.last { summary["trainLoss"] = Double(last.trainLoss) }
            printJSON(summary)
        }
    }
}

func printErr(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
