// The stored forms of an iteration's JSON columns: configuration, dataset summary, latest
// progress, results and model card (in `StoredModelCard.swift`). They are the server's own
// types, not the API's wire types, so renaming something in openapi.yaml never breaks stored
// rows; their keys are spelled out and are the ones rows written before these types existed carry.
// `API/StoredRecords+API.swift` turns them into the wire types.
import Firmware
import Foundation
import Imaging
import NeuralNet

/// The configuration an iteration trains with, every default resolved (see `TrainingDefaults`).
package struct StoredTrainingConfiguration: Codable, Sendable, Equatable {
    package enum Architecture: String, Codable, Sendable, CaseIterable {
        case tinyCnn = "tiny-cnn"
        case mobilenetV1 = "mobilenet-v1"
        case fomo
    }

    package enum Optimizer: String, Codable, Sendable, CaseIterable {
        case adam, adamw, sgd
    }

    package enum Schedule: String, Codable, Sendable, CaseIterable {
        case constant, cosine, step
    }

    package struct Input: Codable, Sendable, Equatable {
        package var width: Int
        package var height: Int
        package var colorMode: ColorMode

        package enum CodingKeys: String, CodingKey {
            case width = "width", height = "height", colorMode = "colorMode"
        }

        package init(width: Int, height: Int, colorMode: ColorMode) {
            self.width = width
            self.height = height
            self.colorMode = colorMode
        }
    }

    package var architecture: Architecture
    package var alpha: Double
    package var input: Input
    package var resizeMode: ResizeMode
    package var epochs: Int
    package var batchSize: Int
    package var learningRate: Double
    package var optimizer: Optimizer
    package var schedule: Schedule
    package var augmentation: Bool
    package var validationFraction: Double
    package var earlyStoppingPatience: Int?
    package var seed: Int

    package enum CodingKeys: String, CodingKey {
        case architecture = "architecture", alpha = "alpha", input = "input", resizeMode = "resizeMode"
        case epochs = "epochs", batchSize = "batchSize", learningRate = "learningRate", optimizer = "optimizer"
        case schedule = "schedule", augmentation = "augmentation", validationFraction = "validationFraction"
        case earlyStoppingPatience = "earlyStoppingPatience", seed = "seed"
    }

    package init(
        architecture: Architecture, alpha: Double, input: Input, resizeMode: ResizeMode, epochs: Int, batchSize: Int,
        learningRate: Double, optimizer: Optimizer, schedule: Schedule, augmentation: Bool, validationFraction: Double,
        earlyStoppingPatience: Int? = nil, seed: Int
    ) {
        self.architecture = architecture
        self.alpha = alpha
        self.input = input
        self.resizeMode = resizeMode
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.schedule = schedule
        self.augmentation = augmentation
        self.validationFraction = validationFraction
        self.earlyStoppingPatience = earlyStoppingPatience
        self.seed = seed
    }
}

/// The frozen snapshot an iteration trains on.
package struct StoredDatasetSummary: Codable, Sendable, Equatable {
    package var images: Int
    /// Images in the training split (validation is taken from these).
    package var train: Int
    package var test: Int
    package var labels: [String]

    package enum CodingKeys: String, CodingKey {
        case images = "images", train = "train", test = "test", labels = "labels"
    }

    package init(images: Int, train: Int, test: Int, labels: [String]) {
        self.images = images
        self.train = train
        self.test = test
        self.labels = labels
    }
}

/// Where a training run is within its epochs.
package struct StoredTrainingProgress: Codable, Sendable, Equatable {
    package var epoch: Int
    package var epochs: Int
    package var step: Int
    /// Steps per epoch.
    package var steps: Int
    package var loss: Double
    package var accuracy: Double
    package var imagesPerSecond: Double
    package var etaSeconds: Double

    package enum CodingKeys: String, CodingKey {
        case epoch = "epoch", epochs = "epochs", step = "step", steps = "steps", loss = "loss", accuracy = "accuracy"
        case imagesPerSecond = "imagesPerSecond", etaSeconds = "etaSeconds"
    }

    package init(
        epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double, accuracy: Double, imagesPerSecond: Double,
        etaSeconds: Double
    ) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.steps = steps
        self.loss = loss
        self.accuracy = accuracy
        self.imagesPerSecond = imagesPerSecond
        self.etaSeconds = etaSeconds
    }
}

/// One finished epoch.
package struct StoredEpochMetrics: Codable, Sendable, Equatable {
    package var epoch: Int
    package var trainLoss: Double
    package var trainAccuracy: Double
    package var validationLoss: Double?
    package var validationAccuracy: Double?
    package var learningRate: Double
    package var seconds: Double
    package var imagesPerSecond: Double

    package enum CodingKeys: String, CodingKey {
        case epoch = "epoch", trainLoss = "trainLoss", trainAccuracy = "trainAccuracy", validationLoss =
            "validationLoss"
        case validationAccuracy = "validationAccuracy", learningRate = "learningRate", seconds = "seconds"
        case imagesPerSecond = "imagesPerSecond"
    }

    package init(
        epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double? = nil,
        validationAccuracy: Double? = nil, learningRate: Double, seconds: Double, imagesPerSecond: Double
    ) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.imagesPerSecond = imagesPerSecond
    }
}

/// How a model did on a set of labelled images.
package struct StoredEvaluationResult: Codable, Sendable, Equatable {
    package struct ClassResult: Codable, Sendable, Equatable {
        package var label: String
        package var precision: Double
        package var recall: Double
        package var f1: Double
        /// Test images (detection: objects) of this label.
        package var support: Int

        package enum CodingKeys: String, CodingKey {
            case label = "label", precision = "precision", recall = "recall", f1 = "f1", support = "support"
        }

        package init(label: String, precision: Double, recall: Double, f1: Double, support: Int) {
            self.label = label
            self.precision = precision
            self.recall = recall
            self.f1 = f1
            self.support = support
        }
    }

    package var images: Int
    /// Classification only.
    package var accuracy: Double?
    /// Detection only: the mean F1 of centroid matching.
    package var f1: Double?
    /// Classification only: rows are true labels, columns predicted labels.
    package var confusionMatrix: [[Int]]?
    package var perClass: [ClassResult]

    package enum CodingKeys: String, CodingKey {
        case images = "images", accuracy = "accuracy", f1 = "f1", confusionMatrix = "confusionMatrix", perClass =
            "perClass"
    }

    package init(
        images: Int, accuracy: Double? = nil, f1: Double? = nil, confusionMatrix: [[Int]]? = nil,
        perClass: [ClassResult]
    ) {
        self.images = images
        self.accuracy = accuracy
        self.f1 = f1
        self.confusionMatrix = confusionMatrix
        self.perClass = perClass
    }
}

/// What a training run produced besides its artifacts.
package struct StoredIterationResults: Codable, Sendable, Equatable {
    package enum StopReason: String, Codable, Sendable, CaseIterable {
        case completed, earlyStopped
    }

    /// A test image the int8 model got wrong, with its scores.
    package struct Misclassified: Codable, Sendable, Equatable {
        /// The image in the snapshot (it may since have left the dataset).
        package var imageId: String
        package var fileName: String
        package var label: String
        package var predicted: String
        package var scores: [StoredLabelScore]

        package enum CodingKeys: String, CodingKey {
            case imageId = "imageId", fileName = "fileName", label = "label", predicted = "predicted", scores = "scores"
        }

        package init(imageId: String, fileName: String, label: String, predicted: String, scores: [StoredLabelScore]) {
            self.imageId = imageId
            self.fileName = fileName
            self.label = label
            self.predicted = predicted
            self.scores = scores
        }
    }

    package var curves: [StoredEpochMetrics]
    package var bestEpoch: Int
    package var stopReason: StopReason
    package var imagesPerSecond: Double
    package var trainingSeconds: Double
    package var float: StoredEvaluationResult?
    package var int8: StoredEvaluationResult?
    package var misclassified: [Misclassified]?

    package enum CodingKeys: String, CodingKey {
        case curves = "curves", bestEpoch = "bestEpoch", stopReason = "stopReason", imagesPerSecond = "imagesPerSecond"
        case trainingSeconds = "trainingSeconds", float = "float", int8 = "int8", misclassified = "misclassified"
    }

    package init(
        curves: [StoredEpochMetrics], bestEpoch: Int, stopReason: StopReason, imagesPerSecond: Double,
        trainingSeconds: Double, float: StoredEvaluationResult? = nil, int8: StoredEvaluationResult? = nil,
        misclassified: [Misclassified]? = nil
    ) {
        self.curves = curves
        self.bestEpoch = bestEpoch
        self.stopReason = stopReason
        self.imagesPerSecond = imagesPerSecond
        self.trainingSeconds = trainingSeconds
        self.float = float
        self.int8 = int8
        self.misclassified = misclassified
    }
}

extension Iteration {
    /// The JSON columns, decoded (a row that does not decode is a bug, so these throw).
    package func storedConfiguration() throws -> StoredTrainingConfiguration {
        try JSONText.decode(StoredTrainingConfiguration.self, from: configuration)
    }

    package func storedDatasetSummary() throws -> StoredDatasetSummary {
        try JSONText.decode(StoredDatasetSummary.self, from: datasetSummary)
    }

    package func storedProgress() throws -> StoredTrainingProgress? {
        try progress.map { try JSONText.decode(StoredTrainingProgress.self, from: $0) }
    }

    package func storedResults() throws -> StoredIterationResults? {
        try results.map { try JSONText.decode(StoredIterationResults.self, from: $0) }
    }

    package func storedModelCard() throws -> StoredModelCard? {
        try modelCard.map { try JSONText.decode(StoredModelCard.self, from: $0) }
    }
}
