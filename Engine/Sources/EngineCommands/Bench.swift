// `bench`: the engine's own benchmark runs (workload A: tiny-cnn on Fashion-MNIST; workload
// B: mobilenet-v1 α=0.25 96x96 gray on synthetic data; the sgemm peak). Prints one JSON
// line per run so benchmarks/run can put it next to the Keras peer. Development tool, not
// a product command (it is not in `EngineCommands.all`).

import ArgumentParser
import Dispatch
import Foundation
import Int8Inference
import NeuralNet
import TrainingData

public struct Bench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure engine training throughput (JSON lines for benchmarks/run).")

    @Option(
        help:
            "Workload: a (tiny-cnn, Fashion-MNIST), b (mobilenet-v1 0.25 96x96 gray), best-a, fomo (FOMO F1 on synthetic shapes), or sgemm."
    )
    var workload: String = "a"
    @Option(help: "Epochs (workloads a and b).") var epochs: Int = 2
    @Option(help: "Steps per epoch for workload b.") var steps: Int = 30
    @Option(help: "Worker threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Batch size.") var batchSize: Int?
    @Flag(help: "Split work inside each layer instead of running one model replica per core.") var layerParallel = false

    public init() {}

    public func run() throws {
        Compute.configure(threads: threads)
        switch workload {
        case "a": try workloadA()
        case "b": workloadB()
        case "sgemm": sgemm()
        case "best-a": try bestA()
        case "fomo": try fomo()
        case "profile-a": profile(ModelZoo.tinyCNN(), batch: batchSize ?? 64)
        case "profile-b":
            profile(
                ModelZoo.mobileNetV1(alpha: 0.25, height: 96, width: 96, channels: 1, classes: 2),
                batch: batchSize ?? 32)
        default: throw ValidationError("unknown workload '\(workload)': use a, b, best-a, fomo or sgemm")
        }
    }

    func workloadA() throws {
        let (train, test) = try FashionMNIST.load()
        let model = Model(architecture: ModelZoo.tinyCNN(), seed: 1)
        let config = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize ?? 64, learningRate: 1e-3, optimizer: .adam, seed: 1)
        let start = DispatchTime.now().uptimeNanoseconds
        let trainer = Trainer(model: model, configuration: config)
        trainer.dataParallel = !layerParallel
        let history = trainer.fit(train: train)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let accuracy = Trainer(model: model, configuration: config).evaluate(test).accuracy
        // Training FLOPs per image: forward + dWeight + dInput (first conv has no dInput).
        let macs: Int = 26 * 26 * 9 * 16 * 2 + 11 * 11 * 144 * 32 * 3 + 800 * 10 * 3
        let flopsPerImage = 2.0 * Double(macs)
        printJSON([
            "workload": "A", "engine": "minnow", "kernels": TrainingKernelChoice.active.rawValue, "epochs": epochs,
            "threads": threads,
            "imagesPerSecond": history.steadyImagesPerSecond, "seconds": seconds,
            "epochImagesPerSecond": history.epochs.map(\.imagesPerSecond),
            "testAccuracy": Double(accuracy), "parameters": model.parameterCount,
            "trainingFlopsPerImage": flopsPerImage,
            "peakMemoryMB": peakMemoryMegabytes(),
        ])
    }

    /// Workload B as whole epochs of `steps` batches over synthetic data, timed like Keras's fit.
    func workloadB() {
        let batch = batchSize ?? 32
        let arch = ModelZoo.mobileNetV1(alpha: 0.25, height: 96, width: 96, channels: 1, classes: 2)
        let model = Model(architecture: arch, seed: 1)
        var rng = SeededRandom(seed: 5)
        let n = batch * steps
        let images = Tensor(shape: [n, 96, 96, 1], data: (0..<(n * 96 * 96)).map { _ in rng.uniform() })
        let data = LabeledImages(images: images, labels: (0..<n).map { _ in rng.int(2) })
        let trainer = Trainer(
            model: model, configuration: TrainingConfiguration(epochs: epochs, batchSize: batch, seed: 1))
        trainer.dataParallel = !layerParallel
        let history = trainer.fit(train: data)
        printJSON([
            "workload": "B", "engine": "minnow", "kernels": TrainingKernelChoice.active.rawValue, "threads": threads,
            "batchSize": batch,
            "epochImagesPerSecond": history.epochs.map(\.imagesPerSecond), "parameters": model.parameterCount,
            "peakMemoryMB": peakMemoryMegabytes(),
        ])
    }

    /// Best Fashion-MNIST accuracy under 100K parameters: a wider tiny-cnn (32/64 filters,
    /// dropout 0.3, 34,826 parameters), flip + 2-pixel shifts, cosine schedule with warm-up.
    func bestA() throws {
        let (train, test) = try FashionMNIST.load()
        let model = Model(architecture: bestAArchitecture(), seed: 1)
        let config = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize ?? 64, learningRate: 2e-3, optimizer: .adam,
            schedule: LearningRateSchedule(.cosine(minimumFraction: 0.02), warmupEpochs: 1), seed: 1,
            augmentation: Augmentation(horizontalFlip: true, maxTranslation: 2))
        let trainer = Trainer(model: model, configuration: config)
        let start = DispatchTime.now().uptimeNanoseconds
        let history = trainer.fit(
            train: train,
            onEpoch: { record in
                printErr(
                    String(
                        format: "epoch %d loss %.4f accuracy %.4f %.0f images/s", record.epoch, record.trainLoss,
                        record.trainAccuracy, record.imagesPerSecond))
            })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // int8 as a board runs it: batch norm folded, calibrated on 500 training images.
        let int8Accuracy = try Int8Runtime(PostTrainingQuantizer.quantize(model, calibration: train.images)).accuracy(
            on: test)
        printJSON([
            "workload": "A-best", "engine": "minnow", "epochs": epochs, "parameters": model.parameterCount,
            "trainingSeconds": seconds, "testAccuracy": Double(model.report(on: test).accuracy),
            "int8TestAccuracy": Double(int8Accuracy), "imagesPerSecond": history.steadyImagesPerSecond,
        ])
    }

    /// Two 3×3 convolutions (32, 64; same padding) each with batch norm, ReLU and 2×2 max
    /// pooling, then dropout, a 24-unit hidden layer and the classifier: 94 K parameters,
    /// 3.9 M multiply-adds per image.
    func bestAArchitecture() -> Architecture {
        var layers: [LayerSpec] = []
        for filters in [32, 64] {
            layers += [
                .conv2d(filters: filters, kernel: 3, stride: 1, padding: .same, bias: false),
                .batchNorm(momentum: 0.99, epsilon: 1e-3), .relu, .maxPool(size: 2, stride: 2, padding: .valid),
            ]
        }
        layers += [
            .flatten, .dropout(rate: 0.15), .linear(units: 24, bias: true), .relu, .linear(units: 10, bias: true),
        ]
        return Architecture(
            name: "fashion-cnn", inputHeight: 28, inputWidth: 28, inputChannels: 1, classes: 10, layers: layers)
    }

    /// FOMO (α 0.25, 48×48 gray) trained on 1,024 synthetic shape images and measured on 200
    /// held-out ones (other seed): F1 per class of the float model and of its int8 quantisation
    /// run by the int8 runtime (the board's arithmetic), matched as `FOMO.evaluate` does.
    func fomo() throws {
        let (train, _) = SyntheticDetection.make(count: 1024, size: 48, seed: 1)
        let (test, truth) = SyntheticDetection.make(count: 200, size: 48, seed: 2)
        let labels = SyntheticDetection.labels
        let model = Model(
            architecture: ModelZoo.fomo(alpha: 0.25, height: 48, width: 48, channels: 1, classes: labels.count),
            seed: 1, labels: labels)
        let start = DispatchTime.now().uptimeNanoseconds
        _ = Trainer(
            model: model,
            configuration: TrainingConfiguration(
                epochs: epochs, batchSize: batchSize ?? 32, learningRate: 1e-3,
                seed: 1, objectWeight: 5)
        ).fit(train: train)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let floatMetrics = FOMO.evaluate(predicted: model.detect(test.images), truth: truth, labels: labels)
        let int8 = try PostTrainingQuantizer.quantize(model, calibration: train.images)
        let runtime = try Int8Runtime(int8)
        let grid = model.outputShape(batch: 1), size = test.images.count / test.count
        let int8Found = (0..<test.count).map { i in
            let output = int8.dequantizeOutput(
                runtime.run(int8.quantizeInput(Array(test.images.data[(i * size)..<((i + 1) * size)]))))
            return FOMO.centroids(
                cellClasses: FOMO.cellClasses(output, classes: labels.count, threshold: 0.5), height: grid[1],
                width: grid[2])
        }
        let int8Metrics = FOMO.evaluate(predicted: int8Found, truth: truth, labels: labels)
        func f1(_ metrics: [ClassMetrics]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: metrics.map { ($0.label, Double($0.f1)) })
        }
        printJSON([
            "workload": "FOMO", "engine": "minnow", "epochs": epochs, "trainImages": train.count,
            "testImages": test.count,
            "seconds": seconds, "objects": truth.reduce(0) { $0 + $1.count }, "f1Float": f1(floatMetrics),
            "f1Int8": f1(int8Metrics),
        ])
    }

    /// Per-layer forward and backward milliseconds per batch.
    func profile(_ architecture: Architecture, batch: Int) {
        let model = Model(architecture: architecture, seed: 1)
        var rng = SeededRandom(seed: 2)
        let input = Tensor(
            shape: architecture.inputShape(batch: batch),
            data: (0..<(batch * architecture.inputHeight * architecture.inputWidth * architecture.inputChannels)).map {
                _ in rng.uniform()
            })
        var forward = [Double](repeating: 0, count: model.layers.count), backward = forward
        let repetitions = 30
        for repetition in 0..<(repetitions + 3) {
            var x = input
            for (index, layer) in model.layers.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                x = layer.forward(x, training: true)
                if repetition >= 3 { forward[index] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
            }
            var g = Tensor(shape: x.shape, data: [Float](repeating: 0.01, count: x.count))
            for (index, layer) in model.layers.enumerated().reversed() {
                let start = DispatchTime.now().uptimeNanoseconds
                g = layer.backward(g)
                if repetition >= 3 { backward[index] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
            }
        }
        for (index, layer) in model.layers.enumerated() {
            print(
                String(
                    format: "%2d %-16@ fwd %7.3f ms  bwd %7.3f ms", index, layer.spec.kind as NSString,
                    forward[index] / Double(repetitions), backward[index] / Double(repetitions)))
        }
        let total = (forward.reduce(0, +) + backward.reduce(0, +)) / Double(repetitions)
        print(
            String(format: "total %.3f ms per batch of %d = %.0f images/s", total, batch, Double(batch) / total * 1000))
    }

    func sgemm() {
        let single = measureSgemmGflops(size: 1024, repetitions: 10, threads: 1)
        let all = measureSgemmGflops(size: 1024, repetitions: 10, threads: threads)
        printJSON(["workload": "sgemm", "gflopsOneThread": single, "gflopsAllThreads": all, "threads": threads])
    }
}

/// Peak resident memory of this process so far (getrusage), in MB.
func peakMemoryMegabytes() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

func printJSON(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
