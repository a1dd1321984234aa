// Optimisers: SGD with momentum (optionally Nesterov), Adam and AdamW (decoupled weight
// decay). They update `Parameter.value` in place from `Parameter.grad`; the learning rate
// of each step comes from the caller (see LearningRateSchedule).

import Foundation

/// Which optimiser to use, as data.
public enum OptimizerKind: Codable, Sendable, Equatable {
    case sgd(momentum: Float, nesterov: Bool)
    case adam(beta1: Float, beta2: Float, epsilon: Float)
    case adamW(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

    /// Keras defaults: Adam(0.9, 0.999, 1e-7).
    public static let adam = OptimizerKind.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-7)
    public static let sgd = OptimizerKind.sgd(momentum: 0.9, nesterov: false)
    public static func adamW(weightDecay: Float) -> OptimizerKind {
        .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: weightDecay)
    }
}

/// Stateful optimiser over a fixed list of parameters.
public final class Optimizer {
    public let kind: OptimizerKind
    private let parameters: [Parameter]
    private var first: [[Float]]
    private var second: [[Float]]
    private var steps = 0

    public init(_ kind: OptimizerKind, parameters: [Parameter]) {
        self.kind = kind
        self.parameters = parameters
        first = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        switch kind {
        case .sgd: second = []
        default: second = first
        }
    }

    /// Applies one update with `learningRate` from the current gradients.
    public func step(learningRate lr: Float) {
        steps += 1
        switch kind {
        case let .sgd(momentum, nesterov):
            for (index, parameter) in parameters.enumerated() {
                first[index].withUnsafeMutableBufferPointer { v in
                    parameter.grad.withUnsafeBufferPointer { g in
                        parameter.value.withUnsafeMutableBufferPointer { w in
                            for i in 0..<w.count {
                                v[i] = momentum * v[i] - lr * g[i]
                                w[i] += nesterov ? momentum * v[i] - lr * g[i] : v[i]
                            }
                        }
                    }
                }
            }
        case let .adam(beta1, beta2, epsilon):
            adam(lr: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: 0)
        case let .adamW(beta1, beta2, epsilon, weightDecay):
            adam(lr: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        }
    }

    /// Adam with Keras's epsilon placement: `w −= lr_t · m / (sqrt(v) + ε)`,
    /// `lr_t = lr · sqrt(1 − β2^t) / (1 − β1^t)`; AdamW also does `w −= lr · λ · w`.
    private func adam(lr: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) {
        let t = Float(steps)
        let correctedRate = lr * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
        for (index, parameter) in parameters.enumerated() {
            first[index].withUnsafeMutableBufferPointer { m in
                second[index].withUnsafeMutableBufferPointer { v in
                    parameter.grad.withUnsafeBufferPointer { g in
                        parameter.value.withUnsafeMutableBufferPointer { w in
                            let step = AdamStep(
                                beta1: beta1, beta2: beta2, epsilon: epsilon, correctedRate: correctedRate,
                                decay: lr * weightDecay)
                            step.apply(
                                m: m.baseAddress!, v: v.baseAddress!, g: g.baseAddress!, w: w.baseAddress!,
                                count: w.count)
                        }
                    }
                }
            }
        }
    }
}

/// Learning rate as a function of progress, with an optional linear warm-up.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public enum Shape: Codable, Sendable, Equatable {
        case constant
        /// Multiply by `factor` every `everyEpochs` epochs.
        case step(everyEpochs: Int, factor: Float)
        /// Cosine decay from the base rate to `base · minimumFraction` over the run.
        case cosine(minimumFraction: Float)
    }
    public var shape: Shape
    /// Epochs of linear warm-up from ~0 to the base rate (fractions allowed).
    public var warmupEpochs: Float

    public init(_ shape: Shape = .constant, warmupEpochs: Float = 0) {
        self.shape = shape
        self.warmupEpochs = warmupEpochs
    }

    /// The rate at optimiser step `step` (0-based) of `totalSteps`, `stepsPerEpoch` per epoch.
    public func rate(base: Float, step: Int, stepsPerEpoch: Int, totalSteps: Int) -> Float {
        let warmupSteps = Int(warmupEpochs * Float(stepsPerEpoch))
        if step < warmupSteps { return base * Float(step + 1) / Float(warmupSteps) }
        switch shape {
        case .constant:
            return base
        case let .step(everyEpochs, factor):
            return base * powf(factor, Float(step / max(stepsPerEpoch * everyEpochs, 1)))
        case let .cosine(minimumFraction):
            let progress = Float(step - warmupSteps) / Float(max(totalSteps - warmupSteps, 1))
            let cosine = 0.5 * (1 + cosf(Float.pi * min(progress, 1)))
            return base * (minimumFraction + (1 - minimumFraction) * cosine)
        }
    }
}
