// The optimiser's eight-lane Adam update against the scalar formula: bit for bit, for whole
// groups of eight and a tail, with and without AdamW's weight decay, over several steps.
import Foundation
import Testing

@testable import NeuralNet

@Suite("Adam update in SIMD lanes")
struct AdamStepTests {
    @Test(arguments: [OptimizerKind.adam, .adamW(weightDecay: 0.01)])
    func lanesEqualTheScalarFormula(kind: OptimizerKind) {
        // setup: 21 values (two groups of eight and a tail of five)
        var rng = SeededRandom(seed: 31)
        let count = 21
        let parameter = Parameter(name: "w", shape: [count], value: (0..<count).map { _ in rng.normal() })
        let optimizer = Optimizer(kind, parameters: [parameter])
        var w = parameter.value
        var m = [Float](repeating: 0, count: count), v = m
        let (beta1, beta2, epsilon): (Float, Float, Float) = (0.9, 0.999, 1e-7)
        let weightDecay: Float = if case .adamW = kind { 0.01 } else { 0 }
        let lr: Float = 0.01
        for step in 1...4 {
            parameter.grad = (0..<count).map { _ in rng.normal() }
            // act
            optimizer.step(learningRate: lr)
            // the scalar formula
            let t = Float(step)
            let correctedRate = lr * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
            for i in 0..<count {
                let g = parameter.grad[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                w[i] -= correctedRate * m[i] / (v[i].squareRoot() + epsilon) + lr * weightDecay * w[i]
            }
            // check
            #expect(parameter.value == w, "step \(step)")
        }
    }
}
