// The API edge of a model's answer (`LoadedModel`): the prediction and quick-test responses.
import APITypes
import MinnowCore

extension Components.Schemas.ImagePrediction {
    init(_ p: Prediction) {
        self.init(
            fileName: p.fileName, label: p.label, scores: p.scores.map(Components.Schemas.LabelScore.init),
            detections: p.detections?.map(Components.Schemas.Detection.init))
    }
}

extension Components.Schemas.LabelScore {
    init(_ s: MinnowCore.LabelScore) {
        self.init(label: s.label, score: s.score)
    }
}

extension Components.Schemas.Detection {
    init(_ d: DetectedObject) {
        self.init(label: d.label, x: d.x, y: d.y, score: d.score)
    }
}
