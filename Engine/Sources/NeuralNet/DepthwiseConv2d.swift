// DepthwiseConv2d: one KxK filter per channel (depth multiplier 1). Channel counts in
// multiples of 8 run the SIMD kernels of DepthwiseConvolution (AVX2 build where the CPU has
// it); others run plain loops (DepthwiseConv2d+PlainLoops). Parallel over chunks of the
// batch. A batch norm + ReLU6 before the layer can be applied by the layer's kernels while
// they read the input (Model arranges it in training). Not a general grouped convolution.
import TrainingKernels

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

    var input = Tensor(zeros: [0])  // (N, H, W, C)
    /// The batch norm + ReLU6 before this layer when `Model` let this layer apply them to its
    /// input (see `forward(_:normalizedBy:)`): per-channel scale and shift, (C) each.
    var inputNormalization: (scale: [Float], shift: [Float])?
    var partialGrads: [Float] = []  // (workers, KH·KW·C + C)
    /// False forces the plain loops even for channels in multiples of 8 (tests compare the two).
    var allowsKernels = true

    public init(
        channels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Padding = .same,
        useBias: Bool = true, rng: inout SeededRandom
    ) {
        self.channels = channels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let fan = kernelSize * kernelSize
        weight = Parameter(
            name: "weight", shape: [kernelSize, kernelSize, channels],
            value: glorotUniform(count: fan * channels, fanIn: fan, fanOut: fan, rng: &rng))
        bias = useBias ? Parameter(name: "bias", shape: [channels], value: [Float](repeating: 0, count: channels)) : nil
    }

    public var spec: LayerSpec {
        .depthwiseConv2d(kernel: kernelSize, stride: stride, padding: padding, bias: bias != nil)
    }
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    func geometry(for shape: [Int]) -> ConvGeometry {
        ConvGeometry(inputShape: shape, kernelSize: kernelSize, stride: stride, padding: padding)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let g = geometry(for: inputShape)
        return [inputShape[0], g.outputHeight, g.outputWidth, channels]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (_, _, _, c) = input.nhwc
        precondition(c == channels, "DepthwiseConv2d expects \(channels) channels, got \(c)")
        if training {
            self.input = input
            inputNormalization = nil
        }
        guard allowsKernels && DepthwiseConvolution.suits(channels: c) else {
            return plainForward(input, geometry: geometry(for: input.shape))
        }
        return kernelForward(input, normalization: nil)
    }

    /// Whether `forward(_:normalizedBy:)` may be used: the 3x3 SIMD kernels apply.
    var takesNormalizedInput: Bool {
        allowsKernels && kernelSize == 3 && DepthwiseConvolution.suits(channels: channels)
    }

    /// Training forward of `min(max(input · scale + shift, 0), 6)` per channel — a batch norm
    /// and ReLU6 whose output is never written out: the kernels apply them while copying each
    /// image into their scratch, here and again in backward's weight gradient. The batch
    /// norm's own backward (with the ReLU6 mask) is unchanged. Only if `takesNormalizedInput`.
    func forward(_ input: Tensor, normalizedBy scale: [Float], shift: [Float]) -> Tensor {
        precondition(takesNormalizedInput && input.shape.last == channels && scale.count == channels)
        self.input = input
        inputNormalization = (scale, shift)
        return kernelForward(input, normalization: (scale, shift))
    }

    private func kernelForward(_ input: Tensor, normalization: (scale: [Float], shift: [Float])?) -> Tensor {
        let (n, _, _, c) = input.nhwc
        let g = geometry(for: input.shape)
        let kernels = DepthwiseConvolution(geometry: g, channels: c)
        var output = Tensor(uninitialized: [n, g.outputHeight, g.outputWidth, c])  // (N, OH, OW, C)
        let biasValues = bias?.value ?? []
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wt in
                biasValues.withUnsafeBufferPointer { b in
                    output.data.withUnsafeMutableBufferPointer { y in
                        withNormalization(normalization) { normalizing in
                            let x = x.baseAddress!, wt = wt.baseAddress!, y = y.baseAddress!
                            // An empty array may still have a base address: decide by the parameter.
                            let b = biasValues.isEmpty ? nil : b.baseAddress
                            Compute.chunks(n) { images, _ in
                                Kernels.depthwiseForward(
                                    kernels, input: x, weight: wt, bias: b, images: images, output: y,
                                    normalizing: normalizing)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Runs `body` with pointers to `normalization`'s arrays (nil without one).
    private func withNormalization<T>(
        _ normalization: (scale: [Float], shift: [Float])?, _ body: (ClampedNormalization?) -> T
    ) -> T {
        guard let normalization else { return body(nil) }
        return normalization.scale.withUnsafeBufferPointer { scale in
            normalization.shift.withUnsafeBufferPointer { shift in
                body(ClampedNormalization(scale: scale.baseAddress!, shift: shift.baseAddress!))
            }
        }
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let (n, h, w, c) = input.nhwc
        let g = geometry(for: input.shape)
        guard allowsKernels && DepthwiseConvolution.suits(channels: c) else {
            precondition(inputNormalization == nil, "a normalized input needs the kernels")
            return plainBackward(dOutput, geometry: g)
        }
        let kernels = DepthwiseConvolution(geometry: g, channels: c)
        let weightCount = weight.value.count
        let slot = weightCount + c
        let workers = max(1, min(Compute.activeThreads, n))
        // Every worker accumulates into its own slot; slot 0 is then the sum.
        if partialGrads.count < workers * slot { partialGrads = [Float](repeating: 0, count: workers * slot) }
        let wantInput = needsInputGradient, hasBias = bias != nil
        var dInput = Tensor(uninitialized: wantInput ? [n, h, w, c] : [0])  // (N, H, W, C), fully written
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wt in
                dOutput.data.withUnsafeBufferPointer { dy in
                    dInput.data.withUnsafeMutableBufferPointer { dx in
                        partialGrads.withUnsafeMutableBufferPointer { partial in
                            withNormalization(inputNormalization) { normalizing in
                                let x = x.baseAddress!, wt = wt.baseAddress!, dy = dy.baseAddress!
                                let dx = dx.baseAddress, partial = partial.baseAddress!
                                Compute.chunks(n) { images, worker in
                                    let dW = partial + worker * slot
                                    dW.update(repeating: 0, count: slot)
                                    Kernels.depthwiseWeightGradient(
                                        kernels, input: x, dOutput: dy, images: images, dWeight: dW,
                                        dBias: hasBias ? dW + weightCount : nil, normalizing: normalizing)
                                    if wantInput {
                                        Kernels.depthwiseInputGradient(
                                            kernels, dOutput: dy, weight: wt, images: images, dInput: dx!)
                                    }
                                }
                                for worker in 1..<workers {
                                    for i in 0..<slot { partial[i] += partial[worker * slot + i] }
                                }
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
