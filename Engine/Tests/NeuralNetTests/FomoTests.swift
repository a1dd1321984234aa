// FOMO end to end on a synthetic detection set, plus the centroid matching rules.

import Testing
@testable import NeuralNet
import TrainingData

@Suite("FOMO")
struct FomoTests {
    @Test("Centroids merge connected cells and match within the radius")
    func matching() {
        let cells = [
            0, 1, 1, 0,
            0, 0, 0, 0,
            2, 0, 0, 1,
        ]
        let found = FOMO.centroids(cellClasses: cells, height: 3, width: 4)
        #expect(found.count == 3)
        #expect(found.contains(Centroid(x: 2, y: 0.5, label: 1)))
        let truth = [Centroid(x: 2.2, y: 0.5, label: 1), Centroid(x: 0.5, y: 2.5, label: 1)]
        let metrics = FOMO.evaluate(predicted: [found], truth: [truth], labels: ["bg", "a", "b"], radius: 1)
        // class a: one match, one false positive (3.5, 2.5), one miss (0.5, 2.5 is class b in the prediction)
        #expect(metrics[0].precision == 0.5 && metrics[0].recall == 0.5)
        #expect(metrics[1].precision == 0 && metrics[1].support == 0)
    }

    @Test("FOMO on synthetic shapes reaches F1 ≥ 0.8 per class")
    func synthetic() {
        // setup
        let (train, _) = SyntheticDetection.make(count: 1024, size: 48, seed: 1)
        let (test, truth) = SyntheticDetection.make(count: 200, size: 48, seed: 2)
        let architecture = ModelZoo.fomo(alpha: 0.25, height: 48, width: 48, channels: 1, classes: 3)
        let model = Model(architecture: architecture, seed: 1, labels: SyntheticDetection.labels)
        #expect(model.outputShape(batch: 1) == [1, 6, 6, 3])
        // act
        _ = Trainer(
            model: model,
            configuration: TrainingConfiguration(
                epochs: 10, batchSize: 32, learningRate: 1e-3,
                seed: 1, objectWeight: 5)
        )
        .fit(train: train)
        let metrics = FOMO.evaluate(
            predicted: model.detect(test.images), truth: truth, labels: SyntheticDetection.labels)
        // check
        print("FOMO synthetic:", metrics.map { "\($0.label) P \($0.precision) R \($0.recall) F1 \($0.f1)" })
        for classMetrics in metrics { #expect(classMetrics.f1 >= 0.8, "\(classMetrics.label)") }
    }
}
