// Trainer.fit: the epoch loop, as named steps — seed, run each epoch's steps (batches prepared
// one step ahead, learning rate from the schedule, progress reports, cancellation), judge the
// epoch on the validation set (best weights, early stopping), and finish (restore the best
// weights, steady throughput).

import Foundation

extension Trainer {
    /// Trains for `configuration.epochs` epochs.
    /// - Parameters:
    ///   - onProgress: called every `progressInterval` steps and at each epoch's last step.
    ///   - onEpoch: called after each epoch with its metrics.
    ///   - shouldCancel: polled between steps; returning true stops with `.cancelled`.
    public func fit(
        train: LabeledImages, validation: LabeledImages? = nil,
        onProgress: (TrainingProgress) -> Void = { _ in },
        onEpoch: (EpochRecord) -> Void = { _ in },
        shouldCancel: () -> Bool = { false }
    ) -> TrainingHistory {
        var rng = SeededRandom(seed: configuration.seed)
        model.reseed(rng.next())
        var replicaSeeds = SeededRandom(seed: rng.next())
        reseedReplicas(&replicaSeeds)
        var run = FitRun(trainer: self, train: train)
        for epoch in 1...max(configuration.epochs, 1) {
            guard var record = run.epoch(epoch, rng: &rng, onProgress: onProgress, shouldCancel: shouldCancel) else {
                run.history.stopReason = .cancelled
                break
            }
            run.judge(&record, on: validation)
            run.history.epochs.append(record)
            onEpoch(record)
            if let patience = configuration.earlyStoppingPatience, run.epochsWithoutImprovement >= patience,
                epoch < configuration.epochs
            {
                run.history.stopReason = .earlyStopped
                break
            }
        }
        return run.finish(hadValidation: validation != nil)
    }
}

/// The state of one `fit` call between its steps.
struct FitRun {
    let trainer: Trainer
    let train: LabeledImages
    let optimizer: Optimizer
    let batchSize: Int
    /// The last partial batch of an epoch is dropped.
    let stepsPerEpoch: Int
    let totalSteps: Int
    /// Detection models train on a grid of cell labels.
    let labelGrid: (height: Int, width: Int)?
    var history = TrainingHistory()
    var best: (score: Float, loss: Float, weights: [[Float]])?
    var epochsWithoutImprovement = 0
    var globalStep = 0
    /// Throughput is measured after the first 10 steps (warm-up allocations excluded).
    var steadyStart: UInt64 = 0, steadyImages = 0
    let runStart = DispatchTime.now().uptimeNanoseconds

    init(trainer: Trainer, train: LabeledImages) {
        let config = trainer.configuration
        self.trainer = trainer
        self.train = train
        optimizer = Optimizer(config.optimizer, parameters: trainer.model.parameters)
        batchSize = min(config.batchSize, train.count)
        stepsPerEpoch = train.count / batchSize
        totalSteps = stepsPerEpoch * config.epochs
        let outShape = trainer.model.outputShape(batch: 1)
        labelGrid = trainer.model.architecture.task == .detection ? (outShape[1], outShape[2]) : nil
    }

    /// Runs one epoch's steps in a seeded random order; nil when cancelled part-way.
    mutating func epoch(
        _ epoch: Int, rng: inout SeededRandom, onProgress: (TrainingProgress) -> Void,
        shouldCancel: () -> Bool
    ) -> EpochRecord? {
        let config = trainer.configuration
        let order = rng.permutation(train.count)
        let seeds = (0..<stepsPerEpoch).map { _ in rng.next() }
        let (train, batchSize, labelGrid, augmentation) = (train, batchSize, labelGrid, config.augmentation)
        func schedule(_ step: Int) -> PendingBatch {
            let indices = Array(order[(step * batchSize)..<((step + 1) * batchSize)])
            let seed = seeds[step]
            return PendingBatch {
                prepareBatch(train, indices: indices, augmentation: augmentation, labelGrid: labelGrid, seed: seed)
            }
        }
        let epochStart = DispatchTime.now().uptimeNanoseconds
        var lossSum: Double = 0, correct = 0, rows = 0
        var learningRate = config.learningRate
        var next = stepsPerEpoch > 0 ? schedule(0) : nil
        for step in 0..<stepsPerEpoch {
            if shouldCancel() {
                _ = next?.take()
                return nil
            }
            let batch = next!.take()
            next = step + 1 < stepsPerEpoch ? schedule(step + 1) : nil
            learningRate = config.schedule.rate(
                base: config.learningRate, step: globalStep, stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps)
            let result = trainer.trainStep(batch, optimizer: optimizer, learningRate: learningRate)
            history.stepLosses.append(result.loss)
            lossSum += Double(result.loss) * Double(result.rows)
            correct += result.correct
            rows += result.rows
            countStep()
            if (step + 1) % trainer.progressInterval == 0 || step + 1 == stepsPerEpoch {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                let rate = Double((step + 1) * batchSize) / max(elapsed, 1e-9)
                let remaining = Double(totalSteps - globalStep) * Double(batchSize) / max(rate, 1e-9)
                onProgress(
                    TrainingProgress(
                        epoch: epoch, epochs: config.epochs, step: step + 1, stepsPerEpoch: stepsPerEpoch,
                        loss: Float(lossSum / Double(rows)), accuracy: Float(correct) / Float(rows),
                        imagesPerSecond: rate, etaSeconds: remaining, learningRate: learningRate))
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
        return EpochRecord(
            epoch: epoch, trainLoss: Float(lossSum / Double(max(rows, 1))),
            trainAccuracy: Float(correct) / Float(max(rows, 1)), validationLoss: nil,
            validationAccuracy: nil, learningRate: learningRate, seconds: seconds,
            imagesPerSecond: Double(stepsPerEpoch * batchSize) / max(seconds, 1e-9))
    }

    /// Counts a finished step towards the steady throughput.
    private mutating func countStep() {
        globalStep += 1
        if globalStep == 10 { steadyStart = DispatchTime.now().uptimeNanoseconds }
        if globalStep > 10 { steadyImages += batchSize }
    }

    /// Adds the validation metrics to `record` and keeps the best weights so far (accuracy,
    /// then loss); without validation data every epoch is the best.
    mutating func judge(_ record: inout EpochRecord, on validation: LabeledImages?) {
        guard let validation, validation.count > 0 else {
            history.bestEpoch = record.epoch
            return
        }
        let (loss, accuracy) = trainer.evaluate(validation)
        record.validationLoss = loss
        record.validationAccuracy = accuracy
        if best == nil || accuracy > best!.score || (accuracy == best!.score && loss < best!.loss) {
            best = (accuracy, loss, trainer.model.snapshot())
            history.bestEpoch = record.epoch
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
        }
    }

    /// Restores the best weights (when asked and another epoch was best) and the steady rate.
    func finish(hadValidation: Bool) -> TrainingHistory {
        var history = history
        if trainer.configuration.restoreBestWeights, let best, history.bestEpoch != history.epochs.count {
            trainer.model.restore(best.weights)
        } else if !hadValidation || best == nil {
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
