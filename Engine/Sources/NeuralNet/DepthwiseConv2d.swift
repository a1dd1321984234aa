// DepthwiseConv2d: one KxK filter per channel (depth multiplier 1), as direct loops whose
// innermost loop runs over the contiguous channel axis so the compiler vectorises it.
// Parallel over chunks of the batch. Not a general grouped convolution.

/// Depthwise 2-D convolution over NHWC input, depth multiplier 1.
///
/// `output[n, oy, ox, c] = bias[c] + Σ_{ky, kx} input[n, oy·s + ky − pad, ox·s + kx − pad, c] · weight[ky, kx, c]`
/// - weight: `(KH, KW, C)`; TFLite's `(1, KH, KW, C)` without the leading 1. bias: `(C)`.
public final class DepthwiseConv2d: Layer {
    public let channels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Padding
    /// `(KH, KW, C)`.
    public let weight: Parameter
    /// `(C)` or nil.
    public let bias: Parameter?
    public var needsInputGradient = true

    private var input = Tensor(zeros: [0])     // (N, H, W, C)
    private var partialGrads: [Float] = []     // (workers − 1, KH·KW·C + C)

    public init(channels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Padding = .same,
                useBias: Bool = true, rng: inout SeededRandom) {
        self.channels = channels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let fan = kernelSize * kernelSize
        weight = Parameter(name: "weight", shape: [kernelSize, kernelSize, channels],
                           value: glorotUniform(count: fan * channels, fanIn: fan, fanOut: fan, rng: &rng))
        bias = useBias ? Parameter(name: "bias", shape: [channels], value: [Float](repeating: 0, count: channels)) : nil
    }

    public var spec: LayerSpec { .depthwiseConv2d(kernel: kernelSize, stride: stride, padding: padding, bias: bias != nil) }
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    private func geometry(for shape: [Int]) -> ConvGeometry {
        ConvGeometry(inputShape: shape, kernelSize: kernelSize, stride: stride, padding: padding)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let g = geometry(for: inputShape)
        return [inputShape[0], g.outputHeight, g.outputWidth, channels]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (n, h, w, c) = input.nhwc
        precondition(c == channels, "DepthwiseConv2d expects \(channels) channels, got \(c)")
        let g = geometry(for: input.shape)
        let k = kernelSize, s = stride
        var output = Tensor(uninitialized: [n, g.outputHeight, g.outputWidth, c])   // (N, OH, OW, C)
        let biasValues = bias?.value ?? [Float](repeating: 0, count: c)
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wt in
                biasValues.withUnsafeBufferPointer { b in
                    output.data.withUnsafeMutableBufferPointer { y in
                        let x = x.baseAddress!, wt = wt.baseAddress!, b = b.baseAddress!, y = y.baseAddress!
                        Compute.chunks(n) { images, _ in
                            for image in images {
                                let xi = x + image * h * w * c
                                for oy in 0..<g.outputHeight {
                                    for ox in 0..<g.outputWidth {
                                        let out = y + ((image * g.outputHeight + oy) * g.outputWidth + ox) * c
                                        out.update(from: b, count: c)
                                        for ky in 0..<k {
                                            let iy = oy * s - g.padTop + ky
                                            if iy < 0 || iy >= h { continue }
                                            for kx in 0..<k {
                                                let ix = ox * s - g.padLeft + kx
                                                if ix < 0 || ix >= w { continue }
                                                let src = xi + (iy * w + ix) * c
                                                let wk = wt + (ky * k + kx) * c
                                                for ch in 0..<c { out[ch] += src[ch] * wk[ch] }
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
        if training { self.input = input }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let (n, h, w, c) = input.nhwc
        let g = geometry(for: input.shape)
        let k = kernelSize, s = stride
        let weightCount = k * k * c
        let slot = weightCount + c
        let workers = max(1, min(Compute.activeThreads, n))
        // Every worker accumulates into its own slot; slot 0 is then the sum.
        partialGrads = [Float](repeating: 0, count: workers * slot)
        let wantInput = needsInputGradient
        var dInput = Tensor(zeros: wantInput ? [n, h, w, c] : [0])
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wt in
                dOutput.data.withUnsafeBufferPointer { dy in
                    dInput.data.withUnsafeMutableBufferPointer { dx in
                        partialGrads.withUnsafeMutableBufferPointer { partial in
                            let x = x.baseAddress!, wt = wt.baseAddress!, dy = dy.baseAddress!
                            let dxBase = dx.baseAddress, partial = partial.baseAddress!
                            Compute.chunks(n) { images, worker in
                                let dW = partial + worker * slot
                                let dB = dW + weightCount
                                for image in images {
                                    let xi = x + image * h * w * c
                                    for oy in 0..<g.outputHeight {
                                        for ox in 0..<g.outputWidth {
                                            let gOut = dy + ((image * g.outputHeight + oy) * g.outputWidth + ox) * c
                                            for ch in 0..<c { dB[ch] += gOut[ch] }
                                            for ky in 0..<k {
                                                let iy = oy * s - g.padTop + ky
                                                if iy < 0 || iy >= h { continue }
                                                for kx in 0..<k {
                                                    let ix = ox * s - g.padLeft + kx
                                                    if ix < 0 || ix >= w { continue }
                                                    let offset = (iy * w + ix) * c
                                                    let src = xi + offset
                                                    let dWk = dW + (ky * k + kx) * c
                                                    for ch in 0..<c { dWk[ch] += gOut[ch] * src[ch] }
                                                    if wantInput {
                                                        let dst = dxBase! + image * h * w * c + offset
                                                        let wk = wt + (ky * k + kx) * c
                                                        for ch in 0..<c { dst[ch] += gOut[ch] * wk[ch] }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            for worker in 1..<max(workers, 1) {
                                for i in 0..<slot { partial[i] += partial[worker * slot + i] }
                            }
                        }
                    }
                }
            }
        }
        weight.grad = Array(partialGrads[0..<weightCount])
        bias?.grad = Array(partialGrads[weightCount..<slot])
        return dInput
    }
}
