// Measures a trained model on labelled images, as float and as int8 (the int8 runtime is
// the one the prediction API and the generated C run, so its numbers are the board's).
// Classification: accuracy, confusion matrix, per-class precision/recall/F1. Detection:
// centroid matching per class (FOMO.evaluate) and the mean F1.
import Foundation
import Int8Inference
import NeuralNet

package struct ModelEvaluator {
    package let model: Model
    package let int8: Int8Model
    package let runtime: Int8Runtime
    /// The model's class names (detection: with background first).
    package let labels: [String]
    package let detection: Bool
    /// The card's input formula, as the prediction API and the board get their bytes.
    package let quantizer: InputQuantizer

    package init(model: Model, int8: Int8Model, runtime: Int8Runtime, labels: [String], detection: Bool) {
        self.model = model
        self.int8 = int8
        self.runtime = runtime
        self.labels = labels
        self.detection = detection
        quantizer = InputQuantizer(preprocessing: model.preprocessing, quantization: int8.inputTensor.quantization)
    }

    package struct Outcome: Sendable {
        package var float: StoredEvaluationResult
        package var int8: StoredEvaluationResult
        package var misclassified: [StoredIterationResults.Misclassified]

        package init(
            float: StoredEvaluationResult, int8: StoredEvaluationResult,
            misclassified: [StoredIterationResults.Misclassified]
        ) {
            self.float = float
            self.int8 = int8
            self.misclassified = misclassified
        }
    }

    package func evaluate(_ set: DecodedSet, misclassifiedLimit: Int = 100) -> Outcome {
        let data = set.data
        let int8Scores = (0..<data.count).map { i in scores(int8Of: data.images.item(i)) }
        if detection {
            let grid = model.outputShape(batch: 1)
            let truth = (0..<data.count).map { i in
                FOMO.centroids(
                    cellClasses: Array(data.labels[(i * data.labelsPerImage)..<((i + 1) * data.labelsPerImage)]),
                    height: grid[1], width: grid[2])
            }
            let floatFound = model.detect(data.images)
            let int8Found = int8Scores.map { cellScores in
                FOMO.centroids(
                    cellClasses: FOMO.cellClasses(cellScores, classes: labels.count, threshold: 0.5), height: grid[1],
                    width: grid[2])
            }
            return Outcome(
                float: detectionResult(
                    FOMO.evaluate(predicted: floatFound, truth: truth, labels: labels), images: data.count),
                int8: detectionResult(
                    FOMO.evaluate(predicted: int8Found, truth: truth, labels: labels), images: data.count),
                misclassified: [])
        }
        let floatPredicted = data.count == 0 ? [] : model.classify(data.images)
        let int8Predicted = int8Scores.map { Self.argmax($0) }
        var misclassified: [StoredIterationResults.Misclassified] = []
        for (i, predicted) in int8Predicted.enumerated()
        where predicted != data.labels[i] && misclassified.count < misclassifiedLimit {
            let item = set.items[i]
            misclassified.append(
                .init(
                    imageId: (item.imageID ?? UUID()).apiString, fileName: item.fileName, label: labels[data.labels[i]],
                    predicted: labels[predicted],
                    scores: Self.ranked(int8Scores[i], labels: labels, limit: 5).map(StoredLabelScore.init)))
        }
        return Outcome(
            float: classificationResult(
                ClassificationReport(truth: data.labels, predicted: floatPredicted, labels: labels)),
            int8: classificationResult(
                ClassificationReport(truth: data.labels, predicted: int8Predicted, labels: labels)),
            misclassified: misclassified)
    }

    /// The int8 model's dequantised output for one normalised input, quantised exactly as the
    /// prediction API quantises the same image's pixels.
    package func scores(int8Of values: [Float]) -> [Float] {
        int8.dequantizeOutput(runtime.run(quantizer.quantize(normalized: values)))
    }

    package func classificationResult(_ report: ClassificationReport) -> StoredEvaluationResult {
        .init(
            images: report.confusion.reduce(0) { $0 + $1.reduce(0, +) }, accuracy: Double(report.accuracy),
            confusionMatrix: report.confusion, perClass: report.perClass.map(Self.classResult))
    }

    package func detectionResult(_ perClass: [ClassMetrics], images: Int) -> StoredEvaluationResult {
        let f1 = perClass.isEmpty ? 0 : perClass.map(\.f1).reduce(0, +) / Float(perClass.count)
        return .init(images: images, f1: Double(f1), perClass: perClass.map(Self.classResult))
    }

    package static func classResult(_ m: ClassMetrics) -> StoredEvaluationResult.ClassResult {
        .init(
            label: m.label, precision: Double(m.precision), recall: Double(m.recall), f1: Double(m.f1),
            support: m.support)
    }

    package static func argmax(_ values: [Float]) -> Int {
        values.indices.max { values[$0] < values[$1] } ?? 0
    }

    /// Labels with their scores, best first.
    package static func ranked(
        _ scores: [Float], labels: [String], limit: Int = .max, threshold: Float = 0
    ) -> [LabelScore] {
        scores.indices.sorted { scores[$0] > scores[$1] }.prefix(limit).filter { scores[$0] >= threshold }
            .map { .init(label: labels[$0], score: Double(scores[$0])) }
    }
}

extension Tensor {
    /// The values of item `i` of the batch.
    package func item(_ i: Int) -> [Float] {
        let size = itemCount
        return Array(data[(i * size)..<((i + 1) * size)])
    }
}
