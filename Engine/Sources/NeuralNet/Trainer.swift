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

    public init(epochs: Int = 10, batchSize: Int = 64, learningRate: Float = 1e-3, optimizer: OptimizerKind = .adam,
                schedule: LearningRateSchedule = .init(), seed: UInt64 = 0, labelSmoothing: Float = 0,
                classWeights: [Float]? = nil, objectWeight: Float = 100, earlyStoppingPatience: Int? = nil,
                augmentation: Augmentation? = nil, restoreBestWeights: Bool = true) {
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
    public var epoch: Int          // 1-based
    public var epochs: Int
    public var step: Int           // 1-based within the epoch
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
            softmaxCrossEntropy(logits: logits, labels: labels, classWeights: configuration.classWeights,
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
            let labels = Array(data.labels[(range.lowerBound * data.labelsPerImage)..<(range.upperBound * data.labelsPerImage)])
            let result = loss(logits, labels)
            totalLoss += Double(result.loss) * Double(result.rows)
            correct += result.correct
            rows += result.rows
        }
        return (Float(totalLoss / Double(max(rows, 1))), Float(correct) / Float(max(rows, 1)))
    }

    /// Trains for `configuration.epochs` epochs.
    /// - Parameters:
    ///   - onProgress: called every `progressInterval` steps and at each epoch's last step.
    ///   - onEpoch: called after each epoch with its metrics.
    ///   - shouldCancel: polled between steps; returning true stops with `.cancelled`.
    public func fit(train: LabeledImages, validation: LabeledImages? = nil,
                    onProgress: (TrainingProgress) -> Void = { _ in },
                    onEpoch: (EpochRecord) -> Void = { _ in },
                    shouldCancel: () -> Bool = { false }) -> TrainingHistory {
        let config = configuration
        var rng = SeededRandom(seed: config.seed)
        model.reseed(rng.next())
        var replicaSeeds = SeededRandom(seed: rng.next())
        if dataParallel && Compute.threads > 1 {
            if parallelStep == nil { parallelStep = DataParallelStep(master: model, workers: Compute.threads) }
            parallelStep!.reseed(&replicaSeeds)
        }
        let optimizer = Optimizer(config.optimizer, parameters: model.parameters)
        let batchSize = min(config.batchSize, train.count)
        let stepsPerEpoch = train.count / batchSize        // the last partial batch is dropped
        let totalSteps = stepsPerEpoch * config.epochs
        let outShape = model.outputShape(batch: 1)
        let labelGrid: (height: Int, width: Int)? = model.architecture.task == .detection ? (outShape[1], outShape[2]) : nil
        var history = TrainingHistory()
        var best: (score: Float, loss: Float, weights: [[Float]])?
        var epochsWithoutImprovement = 0
        var globalStep = 0
        var steadyStart: UInt64 = 0, steadyImages = 0
        let runStart = DispatchTime.now().uptimeNanoseconds

        epochLoop: for epoch in 1...max(config.epochs, 1) {
            let order = rng.permutation(train.count)
            let seeds = (0..<stepsPerEpoch).map { _ in rng.next() }
            let augmentation = config.augmentation
            func schedule(_ step: Int) -> PendingBatch {
                let indices = Array(order[(step * batchSize)..<((step + 1) * batchSize)])
                let seed = seeds[step]
                return PendingBatch { prepareBatch(train, indices: indices, augmentation: augmentation, labelGrid: labelGrid, seed: seed) }
            }
            let epochStart = DispatchTime.now().uptimeNanoseconds
            var lossSum: Double = 0, correct = 0, rows = 0
            var learningRate = config.learningRate
            var next = stepsPerEpoch > 0 ? schedule(0) : nil
            for step in 0..<stepsPerEpoch {
                if shouldCancel() {
                    history.stopReason = .cancelled
                    _ = next?.take()
                    break epochLoop
                }
                let batch = next!.take()
                next = step + 1 < stepsPerEpoch ? schedule(step + 1) : nil
                learningRate = config.schedule.rate(base: config.learningRate, step: globalStep,
                                                    stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps)
                let result = trainStep(batch, optimizer: optimizer, learningRate: learningRate)
                history.stepLosses.append(result.loss)
                lossSum += Double(result.loss) * Double(result.rows)
                correct += result.correct
                rows += result.rows
                globalStep += 1
                if globalStep == 10 { steadyStart = DispatchTime.now().uptimeNanoseconds }
                if globalStep > 10 { steadyImages += batchSize }
                if (step + 1) % progressInterval == 0 || step + 1 == stepsPerEpoch {
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                    let rate = Double((step + 1) * batchSize) / max(elapsed, 1e-9)
                    let remaining = Double(totalSteps - globalStep) * Double(batchSize) / max(rate, 1e-9)
                    onProgress(TrainingProgress(epoch: epoch, epochs: config.epochs, step: step + 1, stepsPerEpoch: stepsPerEpoch,
                                                loss: Float(lossSum / Double(rows)), accuracy: Float(correct) / Float(rows),
                                                imagesPerSecond: rate, etaSeconds: remaining, learningRate: learningRate))
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            var record = EpochRecord(epoch: epoch, trainLoss: Float(lossSum / Double(max(rows, 1))),
                                     trainAccuracy: Float(correct) / Float(max(rows, 1)), validationLoss: nil,
                                     validationAccuracy: nil, learningRate: learningRate, seconds: seconds,
                                     imagesPerSecond: Double(stepsPerEpoch * batchSize) / max(seconds, 1e-9))
            if let validation, validation.count > 0 {
                let (loss, accuracy) = evaluate(validation)
                record.validationLoss = loss
                record.validationAccuracy = accuracy
                if best == nil || accuracy > best!.score || (accuracy == best!.score && loss < best!.loss) {
                    best = (accuracy, loss, model.snapshot())
                    history.bestEpoch = epoch
                    epochsWithoutImprovement = 0
                } else {
                    epochsWithoutImprovement += 1
                }
            } else {
                history.bestEpoch = epoch
            }
            history.epochs.append(record)
            onEpoch(record)
            if let patience = config.earlyStoppingPatience, epochsWithoutImprovement >= patience, epoch < config.epochs {
                history.stopReason = .earlyStopped
                break
            }
        }
        if config.restoreBestWeights, let best, history.bestEpoch != history.epochs.count {
            model.restore(best.weights)
        } else if validation == nil || best == nil {
            history.bestEpoch = history.epochs.count
        }
        let end = DispatchTime.now().uptimeNanoseconds
        if steadyImages > 0 {
            history.steadyImagesPerSecond = Double(steadyImages) / (Double(end - steadyStart) / 1e9)
        } else {
            history.steadyImagesPerSecond = Double(globalStep * batchSize) / max(Double(end - runStart) / 1e9, 1e-9)
        }
        return history
    }
}
