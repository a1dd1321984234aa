// The API edge of the stored JSON records (Models/IterationRecords.swift, JobRecords.swift):
// each becomes its generated wire type here, field by field, so an API rename is a compile
// error, never a row that no longer decodes (their enums cross in WireEnum.swift, an import's
// file outcomes in FileOutcomes+API.swift).
import APITypes
import Foundation
import MinnowCore

extension Components.Schemas.TrainingConfiguration {
    init(_ c: StoredTrainingConfiguration) {
        self.init(
            architecture: .init(c.architecture), alpha: c.alpha,
            input: .init(width: c.input.width, height: c.input.height, colorMode: .init(c.input.colorMode)),
            resizeMode: .init(c.resizeMode), epochs: c.epochs, batchSize: c.batchSize, learningRate: c.learningRate,
            optimizer: .init(c.optimizer), schedule: .init(c.schedule), augmentation: c.augmentation,
            validationFraction: c.validationFraction, earlyStoppingPatience: c.earlyStoppingPatience, seed: c.seed)
    }
}

extension Components.Schemas.DatasetSummary {
    init(_ s: StoredDatasetSummary) {
        self.init(images: s.images, train: s.train, test: s.test, labels: s.labels)
    }
}

extension Components.Schemas.TrainingProgress {
    init(_ p: StoredTrainingProgress) {
        self.init(
            epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.steps, loss: p.loss, accuracy: p.accuracy,
            imagesPerSecond: p.imagesPerSecond, etaSeconds: p.etaSeconds)
    }
}

extension Components.Schemas.EpochMetrics {
    init(_ e: StoredEpochMetrics) {
        self.init(
            epoch: e.epoch, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, validationLoss: e.validationLoss,
            validationAccuracy: e.validationAccuracy, learningRate: e.learningRate, seconds: e.seconds,
            imagesPerSecond: e.imagesPerSecond)
    }
}

extension Components.Schemas.EvaluationResult {
    init(_ r: StoredEvaluationResult) {
        self.init(
            images: r.images, accuracy: r.accuracy, f1: r.f1, confusionMatrix: r.confusionMatrix,
            perClass: r.perClass.map {
                .init(label: $0.label, precision: $0.precision, recall: $0.recall, f1: $0.f1, support: $0.support)
            })
    }
}

extension Components.Schemas.IterationResults {
    init(_ r: StoredIterationResults) {
        self.init(
            curves: r.curves.map(Components.Schemas.EpochMetrics.init), bestEpoch: r.bestEpoch,
            stopReason: .init(r.stopReason),
            imagesPerSecond: r.imagesPerSecond, trainingSeconds: r.trainingSeconds,
            float: r.float.map(Components.Schemas.EvaluationResult.init),
            int8: r.int8.map(Components.Schemas.EvaluationResult.init),
            misclassified: r.misclassified?.map {
                .init(
                    imageId: $0.imageId, fileName: $0.fileName, label: $0.label, predicted: $0.predicted,
                    scores: $0.scores.map { .init(label: $0.label, score: $0.score) })
            })
    }
}

extension Components.Schemas.ModelCard {
    init(_ c: StoredModelCard) {
        self.init(
            iteration: c.iteration, architecture: c.architecture, task: .init(c.task), labels: c.labels,
            input: .init(
                width: c.input.width, height: c.input.height, colorMode: .init(c.input.colorMode),
                resizeMode: .init(c.input.resizeMode), mean: c.input.mean, std: c.input.std),
            parameters: c.parameters, macs: c.macs, tfliteBytes: c.tfliteBytes, arenaBytes: c.arenaBytes,
            quantization: .init(
                inputScale: c.quantization.inputScale, inputZeroPoint: c.quantization.inputZeroPoint,
                outputScale: c.quantization.outputScale, outputZeroPoint: c.quantization.outputZeroPoint,
                inputFormula: c.quantization.inputFormula, outputFormula: c.quantization.outputFormula),
            floatAccuracy: c.floatAccuracy, int8Accuracy: c.int8Accuracy,
            boards: c.boards.map { board in
                .init(
                    board: board.board, flashBytes: board.flashBytes, ramBytes: board.ramBytes,
                    arenaBytes: board.arenaBytes,
                    estimatedMilliseconds: board.estimatedMilliseconds, fits: board.fits, measured: board.measured,
                    instructions: board.instructions, latencyMethod: board.latencyMethod.map { .init($0) },
                    latencyNote: board.latencyNote)
            })
    }
}

extension Components.Schemas.IterationEvent {
    init(_ e: StoredJobEvent) {
        self.init(
            id: e.id, kind: .init(e.kind), time: e.time, status: e.status.map(Components.Schemas.IterationStatus.init),
            message: e.message, progress: e.progress.map(Components.Schemas.TrainingProgress.init),
            epoch: e.epoch.map(Components.Schemas.EpochMetrics.init))
    }
}

extension Components.Schemas.EvaluationReport {
    init(_ r: StoredEvaluationReport) {
        self.init(
            iterationId: r.iterationId, images: r.images,
            skipped: r.skipped.map { .init(fileName: $0.fileName, reason: $0.reason) },
            float: .init(r.float), int8: .init(r.int8))
    }
}

extension Components.Schemas.ImportReport {
    init(_ r: StoredImportReport) {
        self.init(
            value1: .init(
                accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected,
                files: r.files.map(Components.Schemas.FileOutcome.init)),
            value2: .init(entries: r.entries))
    }
}
