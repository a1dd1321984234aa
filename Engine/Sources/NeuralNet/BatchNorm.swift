// BatchNorm: per-channel normalisation over every axis but the last (channels), with batch
// statistics in training and running statistics in evaluation (Keras semantics: running =
// momentum · running + (1 − momentum) · batch, biased batch variance), except that the
// first updates average instead (momentum min(m, 1 − 1/t) at update t), so short runs do
// not evaluate with statistics still dominated by the initial 0/1. Loops run over the
// contiguous channel axis. Single-threaded: it is memory-bound and cheap next to the convs.

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

    private var normalized = Tensor(zeros: [0])   // x̂, same shape as the input
    private var inverseStd: [Float] = []          // (C)
    private var updates = 0                       // running-statistics updates so far

    public init(channels: Int, momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(name: "gamma", shape: [channels], value: [Float](repeating: 1, count: channels))
        beta = Parameter(name: "beta", shape: [channels], value: [Float](repeating: 0, count: channels))
        runningMean = Parameter(name: "runningMean", shape: [channels], value: [Float](repeating: 0, count: channels))
        runningVariance = Parameter(name: "runningVariance", shape: [channels], value: [Float](repeating: 1, count: channels))
    }

    public var spec: LayerSpec { .batchNorm(momentum: momentum, epsilon: epsilon) }
    public var parameters: [Parameter] { [gamma, beta] }
    public var buffers: [Parameter] { [runningMean, runningVariance] }
    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let c = channels
        precondition(input.shape.last == c, "BatchNorm expects \(c) channels, got shape \(input.shape)")
        let rows = input.count / c
        var mean = [Float](repeating: 0, count: c)
        var variance = [Float](repeating: 0, count: c)
        if training {
            input.data.withUnsafeBufferPointer { x in
                mean.withUnsafeMutableBufferPointer { mean in
                    variance.withUnsafeMutableBufferPointer { variance in
                        let x = x.baseAddress!, mean = mean.baseAddress!, variance = variance.baseAddress!
                        for row in 0..<rows { let r = x + row * c; for ch in 0..<c { mean[ch] += r[ch] } }
                        for ch in 0..<c { mean[ch] /= Float(rows) }
                        for row in 0..<rows {
                            let r = x + row * c
                            for ch in 0..<c { let d = r[ch] - mean[ch]; variance[ch] += d * d }
                        }
                        for ch in 0..<c { variance[ch] /= Float(rows) }
                    }
                }
            }
            updates += 1
            let m = min(momentum, 1 - 1 / Float(updates))
            for ch in 0..<c {
                runningMean.value[ch] = m * runningMean.value[ch] + (1 - m) * mean[ch]
                runningVariance.value[ch] = m * runningVariance.value[ch] + (1 - m) * variance[ch]
            }
        } else {
            mean = runningMean.value
            variance = runningVariance.value
        }
        let invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        // y = x · scale + shift with scale = γ·invStd, shift = β − mean·scale.
        let scale = (0..<c).map { gamma.value[$0] * invStd[$0] }
        let shift = (0..<c).map { beta.value[$0] - mean[$0] * scale[$0] }
        var output = Tensor(uninitialized: input.shape)
        var xhat = training ? Tensor(uninitialized: input.shape) : Tensor(zeros: [0])
        input.data.withUnsafeBufferPointer { x in
            output.data.withUnsafeMutableBufferPointer { y in
                xhat.data.withUnsafeMutableBufferPointer { xh in
                    scale.withUnsafeBufferPointer { scale in
                        shift.withUnsafeBufferPointer { shift in
                            mean.withUnsafeBufferPointer { mean in
                                invStd.withUnsafeBufferPointer { invStd in
                                    let x = x.baseAddress!, y = y.baseAddress!, scale = scale.baseAddress!, shift = shift.baseAddress!
                                    let mean = mean.baseAddress!, invStd = invStd.baseAddress!
                                    for row in 0..<rows {
                                        let xr = x + row * c, yr = y + row * c
                                        for ch in 0..<c { yr[ch] = xr[ch] * scale[ch] + shift[ch] }
                                    }
                                    if training {
                                        let xh = xh.baseAddress!
                                        for row in 0..<rows {
                                            let xr = x + row * c, hr = xh + row * c
                                            for ch in 0..<c { hr[ch] = (xr[ch] - mean[ch]) * invStd[ch] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if training {
            normalized = xhat
            inverseStd = invStd
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let c = channels
        let rows = dOutput.count / c
        var dGamma = [Float](repeating: 0, count: c)
        var dBeta = [Float](repeating: 0, count: c)
        var dInput = Tensor(uninitialized: dOutput.shape)
        dOutput.data.withUnsafeBufferPointer { dy in
            normalized.data.withUnsafeBufferPointer { xh in
                dGamma.withUnsafeMutableBufferPointer { dGamma in
                    dBeta.withUnsafeMutableBufferPointer { dBeta in
                        let dy = dy.baseAddress!, xh = xh.baseAddress!, dGamma = dGamma.baseAddress!, dBeta = dBeta.baseAddress!
                        for row in 0..<rows {
                            let dr = dy + row * c, hr = xh + row * c
                            for ch in 0..<c {
                                dBeta[ch] += dr[ch]
                                dGamma[ch] += dr[ch] * hr[ch]
                            }
                        }
                        // dInput = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂)) = a·dy − b − x̂·d per channel
                        let m = Float(rows)
                        let a = (0..<c).map { gamma.value[$0] * inverseStd[$0] }
                        let b = (0..<c).map { a[$0] * dBeta[$0] / m }
                        let d = (0..<c).map { a[$0] * dGamma[$0] / m }
                        dInput.data.withUnsafeMutableBufferPointer { dx in
                            a.withUnsafeBufferPointer { a in
                                b.withUnsafeBufferPointer { b in
                                    d.withUnsafeBufferPointer { d in
                                        let dx = dx.baseAddress!, a = a.baseAddress!, b = b.baseAddress!, d = d.baseAddress!
                                        for row in 0..<rows {
                                            let dr = dy + row * c, hr = xh + row * c, xr = dx + row * c
                                            for ch in 0..<c { xr[ch] = a[ch] * dr[ch] - b[ch] - hr[ch] * d[ch] }
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
