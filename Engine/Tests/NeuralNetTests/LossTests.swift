// Losses against finite differences and closed forms, and the optimisers/schedules
// against their formulas.

import Foundation
import Testing
@testable import NeuralNet

@Suite("Losses, optimisers and schedules")
struct LossTests {
    @Test("Uniform logits give log(classes)")
    func uniformLogits() {
        let result = softmaxCrossEntropy(logits: Tensor(zeros: [3, 5]), labels: [0, 2, 4])
        #expect(abs(result.loss - logf(5)) < 1e-6)
    }

    @Test("Cross-entropy gradient matches finite differences (weights, smoothing)")
    func crossEntropyGradient() {
        var rng = SeededRandom(seed: 3)
        let logits = randomTensor([4, 6], rng: &rng)
        let labels = [1, 5, 0, 3]
        let weights: [Float] = [1, 2, 0.5, 1, 3, 1]
        let result = softmaxCrossEntropy(logits: logits, labels: labels, classWeights: weights, labelSmoothing: 0.1)
        for index in 0..<logits.count {
            var plus = logits, minus = logits
            plus.data[index] += 1e-2
            minus.data[index] -= 1e-2
            let numeric =
                (softmaxCrossEntropy(logits: plus, labels: labels, classWeights: weights, labelSmoothing: 0.1).loss
                    - softmaxCrossEntropy(logits: minus, labels: labels, classWeights: weights, labelSmoothing: 0.1)
                    .loss) / 2e-2
            #expect(abs(numeric - result.dLogits.data[index]) < 2e-3, "index \(index)")
        }
    }

    @Test("FOMO loss weighs object cells more than background cells")
    func fomoWeighting() {
        // One background cell and one object cell, both predicted uniformly.
        let logits = Tensor(zeros: [1, 1, 2, 2])
        let result = fomoCrossEntropy(logits: logits, cellLabels: [0, 1], objectWeight: 10)
        #expect(abs(result.loss - (1 + 10) * logf(2) / 2) < 1e-5)
        #expect(abs(result.dLogits.data[3]) == 10 * abs(result.dLogits.data[1]))
    }

    @Test("Adam's first step moves each weight by the learning rate")
    func adamFirstStep() {
        let parameter = Parameter(name: "w", shape: [3], value: [1, 2, 3])
        parameter.grad = [0.5, -2, 1e-3]
        let optimizer = Optimizer(.adam, parameters: [parameter])
        optimizer.step(learningRate: 0.1)
        // With bias correction, step 1 is lr · g / (|g| + ε') ≈ lr · sign(g).
        #expect(abs(parameter.value[0] - 0.9) < 1e-4)
        #expect(abs(parameter.value[1] - 2.1) < 1e-4)
        #expect(abs(parameter.value[2] - 2.9) < 1e-3)
    }

    @Test("SGD with momentum follows v = μv − lr·g, w += v")
    func sgdMomentum() {
        let parameter = Parameter(name: "w", shape: [1], value: [1])
        let optimizer = Optimizer(.sgd(momentum: 0.9, nesterov: false), parameters: [parameter])
        parameter.grad = [1]
        optimizer.step(learningRate: 0.1)  // v = −0.1, w = 0.9
        optimizer.step(learningRate: 0.1)  // v = −0.19, w = 0.71
        #expect(abs(parameter.value[0] - 0.71) < 1e-6)
    }

    @Test("Schedules: warm-up, step decay, cosine end point")
    func schedules() {
        let warm = LearningRateSchedule(.constant, warmupEpochs: 1)
        #expect(warm.rate(base: 1, step: 0, stepsPerEpoch: 10, totalSteps: 100) == 0.1)
        #expect(warm.rate(base: 1, step: 50, stepsPerEpoch: 10, totalSteps: 100) == 1)
        let stepDecay = LearningRateSchedule(.step(everyEpochs: 2, factor: 0.5))
        #expect(stepDecay.rate(base: 1, step: 45, stepsPerEpoch: 10, totalSteps: 100) == 0.25)
        let cosine = LearningRateSchedule(.cosine(minimumFraction: 0.1))
        #expect(cosine.rate(base: 1, step: 0, stepsPerEpoch: 10, totalSteps: 100) == 1)
        #expect(abs(cosine.rate(base: 1, step: 100, stepsPerEpoch: 10, totalSteps: 100) - 0.1) < 1e-6)
    }
}

@Suite("Batch-norm running statistics")
struct BatchNormStatisticsTests {
    @Test("The first update takes the batch statistics; evaluation then uses them")
    func firstUpdate() {
        let layer = BatchNorm(channels: 1, momentum: 0.99, epsilon: 0)
        let x = Tensor(shape: [4, 1], data: [1, 2, 3, 6])
        _ = layer.forward(x, training: true)
        #expect(layer.runningMean.value == [3])
        #expect(abs(layer.runningVariance.value[0] - 3.5) < 1e-6)  // biased: (4 + 1 + 0 + 9) / 4
        let y = layer.forward(x, training: false)
        #expect(abs(y.data[3] - 3 / Float(3.5).squareRoot()) < 1e-5)
    }
}
