// Classification metrics: accuracy, confusion matrix and per-class precision, recall and
// F1 from predicted and true class indices. Pure counting; no thresholds or curves.

/// Precision, recall and F1 of one class.
public struct ClassMetrics: Codable, Sendable, Equatable {
    public var label: String
    public var precision: Float
    public var recall: Float
    public var f1: Float
    /// Number of true examples of this class.
    public var support: Int
}

/// Metrics of a classifier on a labelled set.
public struct ClassificationReport: Codable, Sendable, Equatable {
    public var accuracy: Float
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]
    public var perClass: [ClassMetrics]

    /// Builds the report from true and predicted class indices.
    public init(truth: [Int], predicted: [Int], labels: [String]) {
        precondition(truth.count == predicted.count, "truth and predictions differ in length")
        let k = labels.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (t, p) in zip(truth, predicted) { confusion[t][p] += 1 }
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
        accuracy = truth.isEmpty ? 0 : Float(correct) / Float(truth.count)
        perClass = (0..<k).map { c in
            let tp = confusion[c][c]
            let predictedCount = (0..<k).reduce(0) { $0 + confusion[$1][c] }
            let support = confusion[c].reduce(0, +)
            return ClassMetrics(label: labels[c], tp: tp, fp: predictedCount - tp, fn: support - tp)
        }
        self.confusion = confusion
    }
}

extension ClassMetrics {
    /// From true positives, false positives and false negatives (0 where undefined).
    public init(label: String, tp: Int, fp: Int, fn: Int) {
        self.label = label
        precision = tp + fp == 0 ? 0 : Float(tp) / Float(tp + fp)
        recall = tp + fn == 0 ? 0 : Float(tp) / Float(tp + fn)
        f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        support = tp + fn
    }
}

extension Model {
    /// Predicted class per image (argmax of the logits), in batches.
    public func classify(_ images: Tensor, batchSize: Int = 256) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(images.batchSize)
        for start in stride(from: 0, to: images.batchSize, by: batchSize) {
            let logits = forward(images.slice(start..<min(start + batchSize, images.batchSize)), training: false)
            result += logits.argmaxRows(columns: logits.shape.last ?? 1)
        }
        return result
    }

    /// Accuracy, confusion matrix and per-class metrics on `data` (classification models).
    public func report(on data: LabeledImages) -> ClassificationReport {
        ClassificationReport(truth: data.labels, predicted: classify(data.images), labels: labels)
    }
}
