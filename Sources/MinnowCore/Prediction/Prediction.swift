// A model's answer for one image (`LoadedModel`): every label's score, best first, and for
// detection the objects found. Observations keep the same reading in their stored form.

package struct Prediction: Sendable, Equatable {
    package var fileName: String?
    /// The best label (classification), or the most confident object's label (detection; nil
    /// when no object is over the threshold).
    package var label: String?
    /// Every label's score, best first (detection: the best cell score per label).
    package var scores: [LabelScore]
    /// The objects found (detection only; nil for classification).
    package var detections: [DetectedObject]?

    package init(
        fileName: String? = nil, label: String? = nil, scores: [LabelScore], detections: [DetectedObject]? = nil
    ) {
        self.fileName = fileName
        self.label = label
        self.scores = scores
        self.detections = detections
    }
}

/// A label with the model's score for it.
package struct LabelScore: Sendable, Equatable {
    package var label: String
    package var score: Double

    package init(label: String, score: Double) {
        self.label = label
        self.score = score
    }
}

/// An object a detector found: its label, its centre as fractions of the image, its score.
package struct DetectedObject: Sendable, Equatable {
    package var label: String
    package var x: Double
    package var y: Double
    package var score: Double

    package init(label: String, x: Double, y: Double, score: Double) {
        self.label = label
        self.x = x
        self.y = y
        self.score = score
    }
}

extension StoredLabelScore {
    package init(_ s: LabelScore) {
        self.init(label: s.label, score: s.score)
    }
}

extension StoredDetection {
    package init(_ d: DetectedObject) {
        self.init(label: d.label, x: d.x, y: d.y, score: d.score)
    }
}
