// BatchNorm: per-channel normalisation over every axis but the last (channels), with batch
// statistics in training and running statistics in evaluation (Keras semantics: running =
// momentum · running + (1 − momentum) · batch, biased batch variance), except that the
// first updates average instead (momentum min(m, 1 − 1/t) at update t), so short runs do
// not evaluate with statistics still dominated by the initial 0/1. The loops are the SIMD
// kernels of BatchNormalization (AVX2 build where the CPU has it). Single-threaded: it is
// memory-bound and cheap next to the convs. A following ReLU6 can be fused in training.
import TrainingKernels

/// Batch normalisation over the channel (last) axis.
///
/// `output = gamma · (input − mean) / sqrt(var + epsilon) + beta`
/// - gamma, beta, runningMean, runningVariance: `(C)`.
public final class BatchNorm: Layer {
    public let channels: Int
    public let momentum: Float
    public let epsilon: Float
    public let gamma: Parameter
    public let beta: Parameter
    /// Running mean (buffer, not trained).
    public let runningMean: Parameter
    /// Running variance (buffer, not trained).
    public let runningVariance: Parameter
    public var needsInputGradient = true

    /// Set by `Model` when a ReLU6 follows: training forward clamps the output to [0, 6] and
    /// backward masks the gradient, and the model skips the ReLU6 layer in training.
    public internal(set) var fusedReLU6 = false

    private var input = Tensor(zeros: [0])  // (N, H, W, C), for x̂ in backward
    private var clampedScale: [Float] = [], clampedShift: [Float] = []  // (C), when the ReLU6 clamped
    private var batchMean: [Float] = []  // (C)
    private var inverseStd: [Float] = []  // (C)
    private var updates = 0  // running-statistics updates so far

    public init(channels: Int, momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(name: "gamma", shape: [channels], value: [Float](repeating: 1, count: channels))
        beta = Parameter(name: "beta", shape: [channels], value: [Float](repeating: 0, count: channels))
        runningMean = Parameter(name: "runningMean", shape: [channels], value: [Float](repeating: 0, count: channels))
        runningVariance = Parameter(
            name: "runningVariance", shape: [channels], value: [Float](repeating: 1, count: channels))
    }

    public var spec: LayerSpec { .batchNorm(momentum: momentum, epsilon: epsilon) }
    public var parameters: [Parameter] { [gamma, beta] }
    public var buffers: [Parameter] { [runningMean, runningVariance] }
    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        if training {
            let (scale, shift) = prepareTraining(input)
            return normalized(input, scale: scale, shift: shift, clampToSix: fusedReLU6)
        }
        let evaluation = affine(mean: runningMean.value, variance: runningVariance.value)
        return normalized(input, scale: evaluation.scale, shift: evaluation.shift, clampToSix: false)
    }

    /// The training forward without its output pass: batch statistics, the running statistics'
    /// update and what backward keeps. Returns the per-channel `scale` and `shift` of the
    /// output `x · scale + shift` (then clamped to [0, 6] if `fusedReLU6`), for a following
    /// layer that applies them itself (see `Model.forward`).
    func prepareTraining(_ input: Tensor) -> (scale: [Float], shift: [Float]) {
        let c = channels
        precondition(input.shape.last == c, "BatchNorm expects \(c) channels, got shape \(input.shape)")
        let kernels = BatchNormalization(rows: input.count / c, channels: c)
        var mean = [Float](repeating: 0, count: c)
        var variance = [Float](repeating: 0, count: c)
        input.data.withUnsafeBufferPointer { x in
            mean.withUnsafeMutableBufferPointer { mean in
                variance.withUnsafeMutableBufferPointer { variance in
                    Kernels.batchNormStatistics(
                        kernels, input: x.baseAddress!, mean: mean.baseAddress!, variance: variance.baseAddress!)
                }
            }
        }
        updates += 1
        let m = min(momentum, 1 - 1 / Float(updates))
        for ch in 0..<c {
            runningMean.value[ch] = m * runningMean.value[ch] + (1 - m) * mean[ch]
            runningVariance.value[ch] = m * runningVariance.value[ch] + (1 - m) * variance[ch]
        }
        let (invStd, scale, shift) = affine(mean: mean, variance: variance)
        self.input = input
        (clampedScale, clampedShift) = fusedReLU6 ? (scale, shift) : ([], [])
        batchMean = mean
        inverseStd = invStd
        return (scale, shift)
    }

    /// `y = x · scale + shift` with scale = γ·invStd, shift = β − mean·scale.
    private func affine(
        mean: [Float], variance: [Float]
    ) -> (
        invStd: [Float], scale: [Float], shift: [Float]
    ) {
        let c = channels
        let invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let scale = (0..<c).map { gamma.value[$0] * invStd[$0] }
        let shift = (0..<c).map { beta.value[$0] - mean[$0] * scale[$0] }
        return (invStd, scale, shift)
    }

    /// `input · scale + shift` per channel, clamped to [0, 6] if `clampToSix`.
    private func normalized(_ input: Tensor, scale: [Float], shift: [Float], clampToSix clamp: Bool) -> Tensor {
        let c = channels
        precondition(input.shape.last == c, "BatchNorm expects \(c) channels, got shape \(input.shape)")
        let kernels = BatchNormalization(rows: input.count / c, channels: c)
        var output = Tensor(uninitialized: input.shape)
        input.data.withUnsafeBufferPointer { x in
            output.data.withUnsafeMutableBufferPointer { y in
                scale.withUnsafeBufferPointer { scale in
                    shift.withUnsafeBufferPointer { shift in
                        Kernels.batchNormNormalize(
                            kernels, input: x.baseAddress!, scale: scale.baseAddress!, shift: shift.baseAddress!,
                            clampToSix: clamp, output: y.baseAddress!)
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let c = channels
        precondition(dOutput.count == input.count, "BatchNorm.backward before a training forward")
        let kernels = BatchNormalization(rows: dOutput.count / c, channels: c)
        var dGamma = [Float](repeating: 0, count: c)
        var dBeta = [Float](repeating: 0, count: c)
        var dInput = Tensor(uninitialized: dOutput.shape)
        let masked = !clampedScale.isEmpty
        dOutput.data.withUnsafeBufferPointer { dy in
            input.data.withUnsafeBufferPointer { x in
                clampedScale.withUnsafeBufferPointer { scale in
                    clampedShift.withUnsafeBufferPointer { shift in
                        batchMean.withUnsafeBufferPointer { mean in
                            inverseStd.withUnsafeBufferPointer { invStd in
                                let dy = dy.baseAddress!, x = x.baseAddress!
                                let clamp =
                                    masked
                                    ? ClampedNormalization(scale: scale.baseAddress!, shift: shift.baseAddress!) : nil
                                let mean = mean.baseAddress!, invStd = invStd.baseAddress!
                                dGamma.withUnsafeMutableBufferPointer { dGamma in
                                    dBeta.withUnsafeMutableBufferPointer { dBeta in
                                        Kernels.batchNormParameterGradients(
                                            kernels, dOutput: dy, input: x, clamp: clamp, mean: mean,
                                            inverseStd: invStd,
                                            dGamma: dGamma.baseAddress!, dBeta: dBeta.baseAddress!)
                                    }
                                }
                                // dInput = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂)) = a·dy − b − x̂·d per channel
                                let m = Float(kernels.rows)
                                let a = (0..<c).map { gamma.value[$0] * invStd[$0] }
                                let b = (0..<c).map { a[$0] * dBeta[$0] / m }
                                let d = (0..<c).map { a[$0] * dGamma[$0] / m }
                                dInput.data.withUnsafeMutableBufferPointer { dx in
                                    a.withUnsafeBufferPointer { a in
                                        b.withUnsafeBufferPointer { b in
                                            d.withUnsafeBufferPointer { d in
                                                Kernels.batchNormInputGradient(
                                                    kernels, dOutput: dy, input: x, clamp: clamp, mean: mean,
                                                    inverseStd: invStd, a: a.baseAddress!, b: b.baseAddress!,
                                                    d: d.baseAddress!, dInput: dx.baseAddress!)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        gamma.grad = dGamma
        beta.grad = dBeta
        return dInput
    }
}
