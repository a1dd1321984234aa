// One training run on the worker's training thread: build the model from the configuration,
// fit it (reporting progress through `sink`), evaluate float and int8 on the test split,
// quantise, serialise, and describe the result. Everything the engine needs is passed in;
// everything that comes out is Sendable.
import Foundation
import Int8Inference
import MinnowCore
import NeuralNet
import TFLite

package struct TrainingRun: Sendable {
    package let configuration: TrainingDefaults.Configuration
    /// The dataset's labels (detection: without background).
    package let labels: [String]
    package let detection: Bool
    package let train: DecodedSet
    package let test: DecodedSet

    package func execute(
        iteration: Int, task: ModelTask, sink: AsyncStream<JobEvents.Draft>.Continuation,
        shouldStop: @escaping () -> Bool
    ) throws -> TrainingOutcome {
        let modelLabels = detection ? ["background"] + labels : labels
        let architecture = try TrainingDefaults.architecture(configuration, classes: labels.count)
        let input = ModelInput(configuration)
        let model = Model(
            architecture: architecture, seed: UInt64(configuration.seed), labels: modelLabels,
            preprocessing: input.preprocessing)
        let engineConfiguration = TrainingDefaults.engineConfiguration(configuration)
        let (trainSet, validation) =
            configuration.validationFraction > 0 && train.data.count >= 10
            ? train.data.split(fraction: Float(configuration.validationFraction), seed: UInt64(configuration.seed) &+ 1)
            : (train.data, nil)
        sink.yield(
            .log(
                "Training \(architecture.name) (\(model.parameterCount) parameters) on \(trainSet.count) images, validating on \(validation?.count ?? 0), for \(configuration.epochs) epochs."
            ))
        let start = Date()
        let history = Trainer(model: model, configuration: engineConfiguration).fit(
            train: trainSet, validation: validation,
            onProgress: { p in
                sink.yield(
                    .init(
                        kind: .progress,
                        progress: .init(
                            epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.stepsPerEpoch,
                            loss: Double(p.loss),
                            accuracy: Double(p.accuracy), imagesPerSecond: p.imagesPerSecond, etaSeconds: p.etaSeconds))
                )
            },
            onEpoch: { record in
                let epoch = Self.epochMetrics(record)
                var line = String(
                    format: "Epoch %d/%d: loss %.4f, accuracy %.2f%%", record.epoch, configuration.epochs,
                    record.trainLoss, record.trainAccuracy * 100)
                if let accuracy = record.validationAccuracy {
                    line += String(format: ", validation accuracy %.2f%%", accuracy * 100)
                }
                sink.yield(.init(kind: .epoch, message: line, epoch: epoch))
            },
            shouldCancel: shouldStop)
        if history.stopReason == .cancelled { throw JobControl.Stop(reason: .canceled) }
        let trainingSeconds = Date().timeIntervalSince(start)

        sink.yield(.log("Quantising to int8 and evaluating on \(test.data.count) test images."))
        let calibration = trainSet.subset(Array(0..<min(500, trainSet.count))).images
        let int8 = try PostTrainingQuantizer.quantize(model, calibration: calibration)
        let evaluator = ModelEvaluator(
            model: model, int8: int8, runtime: try Int8Runtime(int8), labels: modelLabels, detection: detection)
        let evaluation = test.data.count > 0 ? evaluator.evaluate(test) : nil
        let tflite = Data(try TFLiteWriter.serialize(int8))
        let checkpoint = try Checkpoint.encode(
            model, metadata: ["iteration": "\(iteration)", "seed": "\(configuration.seed)"])
        sink.yield(.log("Measuring the model on each board."))
        let card = try ModelCardBuilder.build(
            iteration: iteration, task: task, model: model, int8: int8, tfliteBytes: tflite.count,
            floatAccuracy: evaluation?.float.accuracy ?? evaluation?.float.f1,
            int8Accuracy: evaluation?.int8.accuracy ?? evaluation?.int8.f1)
        let results = StoredIterationResults(
            curves: history.epochs.map(Self.epochMetrics), bestEpoch: history.bestEpoch,
            stopReason: history.stopReason == .earlyStopped ? .earlyStopped : .completed,
            imagesPerSecond: history.steadyImagesPerSecond, trainingSeconds: trainingSeconds,
            float: evaluation?.float, int8: evaluation?.int8, misclassified: evaluation?.misclassified)
        return TrainingOutcome(
            checkpoint: checkpoint, tflite: tflite, results: results, modelCard: card,
            summary: Self.summary(evaluation, detection: detection, seconds: trainingSeconds))
    }

    package static func epochMetrics(_ r: EpochRecord) -> StoredEpochMetrics {
        .init(
            epoch: r.epoch, trainLoss: Double(r.trainLoss), trainAccuracy: Double(r.trainAccuracy),
            validationLoss: r.validationLoss.map(Double.init),
            validationAccuracy: r.validationAccuracy.map(Double.init),
            learningRate: Double(r.learningRate), seconds: r.seconds, imagesPerSecond: r.imagesPerSecond)
    }

    package static func summary(_ evaluation: ModelEvaluator.Outcome?, detection: Bool, seconds: Double) -> String {
        let time = "Trained in \(DurationText.words(seconds))."
        guard let evaluation else { return time + " No test images, so no test metrics." }
        let metric = detection ? "F1" : "accuracy"
        let f = (detection ? evaluation.float.f1 : evaluation.float.accuracy) ?? 0
        let q = (detection ? evaluation.int8.f1 : evaluation.int8.accuracy) ?? 0
        return time + String(format: " Test %@: %.2f%% float, %.2f%% int8.", metric, f * 100, q * 100)
    }

    package init(
        configuration: TrainingDefaults.Configuration, labels: [String], detection: Bool, train: DecodedSet,
        test: DecodedSet
    ) {
        self.configuration = configuration
        self.labels = labels
        self.detection = detection
        self.train = train
        self.test = test
    }
}
