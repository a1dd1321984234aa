// Trainer: the mini-batch training loop — shuffling, augmentation, loss, backward,
// optimiser step with a scheduled learning rate, validation each epoch, early stopping,
// keeping the best weights, progress reports and cancellation between steps. One seed
// drives shuffling, augmentation and dropout. Not distributed, not mixed precision.

import Dispatch
import Foundation

/// Everything that configures a training run (stored with an iteration).
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var optimizer: OptimizerKind
    public var schedule: LearningRateSchedule
    public var seed: UInt64
    public var labelSmoothing: Float
    /// Per-class loss weights (classification), nil for all 1.
    public var classWeights: [Float]?
    /// Weight of object cells against background cells (detection).
    public var objectWeight: Float
    /// Stop after this many epochs without a better validation result; nil never stops early.
    public var earlyStoppingPatience: Int?
    /// Training-split augmentation, nil for none.
    public var augmentation: Augmentation?
    /// At the end, put back the weights of the best validation epoch.
    public var restoreBestWeights: Bool

    public init(
        epochs: Int = 10, batchSize: Int = 64, learningRate: Float = 1e-3, optimizer: OptimizerKind = .adam,
        schedule: LearningRateSchedule = .init(), seed: UInt64 = 0, labelSmoothing: Float = 0,
        classWeights: [Float]? = nil, objectWeight: Float = 100, earlyStoppingPatience: Int? = nil,
        augmentation: Augmentation? = nil, restoreBestWeights: Bool = true
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.labelSmoothing = labelSmoothing
        self.classWeights = classWeights
        self.objectWeight = objectWeight
        self.earlyStoppingPatience = earlyStoppingPatience
        self.augmentation = augmentation
        self.restoreBestWeights = restoreBestWeights
    }
}

/// A progress report (sent every few steps and at the end of each epoch).
public struct TrainingProgress: Sendable, Codable {
    public var epoch: Int  // 1-based
    public var epochs: Int
    public var step: Int  // 1-based within the epoch
    public var stepsPerEpoch: Int
    /// Running mean loss and accuracy of this epoch so far.
    public var loss: Float
    public var accuracy: Float
    public var imagesPerSecond: Double
    public var etaSeconds: Double
    public var learningRate: Float
}

/// Metrics of one finished epoch.
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Float
    public var trainAccuracy: Float
    public var validationLoss: Float?
    public var validationAccuracy: Float?
    public var learningRate: Float
    public var seconds: Double
    public var imagesPerSecond: Double
}

/// The outcome of `Trainer.fit`.
public struct TrainingHistory: Sendable, Codable {
    public enum StopReason: String, Sendable, Codable { case completed, earlyStopped, cancelled }
    public var epochs: [EpochRecord] = []
    /// 1-based epoch whose weights the model holds at the end (best validation if any).
    public var bestEpoch: Int = 0
    public var stopReason: StopReason = .completed
    /// Training throughput after the first 10 steps (excludes warm-up allocations).
    public var steadyImagesPerSecond: Double = 0
    /// Loss of every step, in order.
    public var stepLosses: [Float] = []
}

/// Trains a `Model` on `LabeledImages`.
public final class Trainer {
    public let model: Model
    public let configuration: TrainingConfiguration
    /// Steps between progress reports.
    public var progressInterval = 20
    /// Split each batch across cores as whole-model replicas (see Trainer+DataParallel);
    /// false splits inside each layer instead (exact full-batch batch norm, slower).
    public var dataParallel = true
    private var parallelStep: DataParallelStep?

    public init(model: Model, configuration: TrainingConfiguration) {
        self.model = model
        self.configuration = configuration
    }

    /// Loss of one batch of logits against its labels, per the model's task.
    func loss(_ logits: Tensor, _ labels: [Int]) -> LossResult {
        switch model.architecture.task {
        case .classification:
            softmaxCrossEntropy(
                logits: logits, labels: labels, classWeights: configuration.classWeights,
                labelSmoothing: configuration.labelSmoothing)
        case .detection:
            fomoCrossEntropy(logits: logits, cellLabels: labels, objectWeight: configuration.objectWeight)
        }
    }

    /// One optimisation step on a batch; returns its loss result.
    public func trainStep(_ batch: Batch, optimizer: Optimizer, learningRate: Float) -> LossResult {
        let result: LossResult
        let workers = Compute.threads
        if dataParallel && workers > 1 && batch.images.batchSize >= 2 * workers {
            if parallelStep == nil { parallelStep = DataParallelStep(master: model, workers: workers) }
            result = parallelStep!.run(batch, loss: loss)
        } else {
            let logits = model.forward(batch.images, training: true)
            result = loss(logits, batch.labels)
            model.backward(result.dLogits)
        }
        optimizer.step(learningRate: learningRate)
        return result
    }

    /// Mean loss and accuracy (per image, or per cell for detection) on `data`.
    public func evaluate(_ data: LabeledImages, batchSize: Int = 256) -> (loss: Float, accuracy: Float) {
        var totalLoss: Double = 0, correct = 0, rows = 0
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let range = start..<min(start + batchSize, data.count)
            let logits = model.forward(data.images.slice(range), training: false)
            let labels = Array(
                data.labels[(range.lowerBound * data.labelsPerImage)..<(range.upperBound * data.labelsPerImage)])
            let result = loss(logits, labels)
            totalLoss += Double(result.loss) * Double(result.rows)
            correct += result.correct
            rows += result.rows
        }
        return (Float(totalLoss / Double(max(rows, 1))), Float(correct) / Float(max(rows, 1)))
    }

    /// Builds the per-core model replicas of data-parallel training (once) and reseeds them.
    func reseedReplicas(_ seeds: inout SeededRandom) {
        guard dataParallel && Compute.threads > 1 else { return }
        if parallelStep == nil { parallelStep = DataParallelStep(master: model, workers: Compute.threads) }
        parallelStep!.reseed(&seeds)
    }
}
