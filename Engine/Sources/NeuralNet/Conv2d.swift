// Conv2d: 2-D convolution as im2col + sgemm, forward and backward, parallel over chunks of
// the batch (one per core, OpenBLAS single-threaded). A 1x1 stride-1 convolution skips
// im2col (the input already is the patch matrix), a tiny patch (a 3x3 gray stem) is
// convolved directly (DirectConvolution) and a 3x3 stride-1 convolution over channels in
// groups of eight through Winograd's F(2×2, 3×3) (Conv2d+Winograd). Not grouped, not dilated.
import TrainingKernels

/// 2-D convolution over NHWC input.
///
/// `output[n, oy, ox, o] = bias[o] + Σ_{ky, kx, i} input[n, oy·s + ky − pad, ox·s + kx − pad, i] · weight[ky, kx, i, o]`
/// - weight: `(KH, KW, Cin, Cout)` (HWIO, as Keras); bias: `(Cout)`.
public final class Conv2d: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Padding
    /// `(KH, KW, Cin, Cout)`.
    public let weight: Parameter
    /// `(Cout)`, or nil for a convolution without bias (e.g. before batch norm).
    public let bias: Parameter?
    public var needsInputGradient = true

    /// Set by `Model` when a ReLU follows: the ReLU is applied in this layer's output pass
    /// and its mask in backward, and the model skips the separate ReLU layer in training.
    public internal(set) var fusedReLU = false
    /// Set by `Model` when a `MaxPool2d` follows the fused ReLU and masks the gradient itself
    /// (on its pooled values, a quarter as many): backward then skips the ReLU mask.
    public internal(set) var gradientArrivesMasked = false

    private var input = Tensor(zeros: [0])  // (N, H, W, Cin), kept for 1x1 backward
    private var output = Tensor(zeros: [0])  // (N, OH, OW, Cout), kept for the fused ReLU mask
    /// Per-worker scratch: `(workers, block·OH·OW, KH·KW·Cin)` patch rows, or the Winograd kernels' scratch.
    var columns: [Float] = []
    /// The Winograd path's transformed filters (`WinogradConvolution.transformWeights`).
    var transformedWeights: [Float] = []
    private var maskedGradient: [Float] = []  // (N·OH·OW, Cout)
    private var partialGrads: [Float] = []  // (workers, KH·KW·Cin·Cout + Cout)
    private var geometry: ConvGeometry?

    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: Padding = .valid, useBias: Bool = true, rng: inout SeededRandom
    ) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let fanIn = kernelSize * kernelSize * inputChannels
        let fanOut = kernelSize * kernelSize * outputChannels
        weight = Parameter(
            name: "weight", shape: [kernelSize, kernelSize, inputChannels, outputChannels],
            value: glorotUniform(count: fanIn * outputChannels, fanIn: fanIn, fanOut: fanOut, rng: &rng))
        bias =
            useBias
            ? Parameter(name: "bias", shape: [outputChannels], value: [Float](repeating: 0, count: outputChannels))
            : nil
    }

    public var spec: LayerSpec {
        .conv2d(filters: outputChannels, kernel: kernelSize, stride: stride, padding: padding, bias: bias != nil)
    }
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    /// How the layer computes: 1x1 stride 1 needs no im2col (the input is the patch matrix);
    /// a tiny patch (a 3x3 gray stem) is convolved directly (see DirectConvolution); 3x3
    /// stride 1 over channels in groups of eight through Winograd (see WinogradConvolution).
    enum Path { case pointwise, direct, winograd, im2col }
    private var path: Path {
        if kernelSize == 1 && stride == 1 { return .pointwise }
        let patch = kernelSize * kernelSize * inputChannels
        if allowsDirect && DirectConvolution.suits(patch: patch, outputChannels: outputChannels) { return .direct }
        let winograd = WinogradConvolution.suits(
            kernelSize: kernelSize, stride: stride, channels: inputChannels, outputChannels: outputChannels)
        return allowsWinograd && winograd ? .winograd : .im2col
    }
    /// False forces the im2col path even for a tiny patch (tests compare the two).
    var allowsDirect = true
    /// False forces the im2col path for a convolution Winograd's path would take (tests compare the two).
    var allowsWinograd = true

    /// Images per im2col block: about 1 MB of patch rows, at least one image. Smaller blocks
    /// keep the rows in cache but make each sgemm small; tiny-patch layers (a 3x3 gray stem)
    /// then lose more to sgemm overhead than they gain, so this errs large.
    private func blockImages(rowsPerImage: Int, patch: Int) -> Int {
        max(1, (256 * 1024) / max(rowsPerImage * patch, 1))
    }

    private func geometry(for shape: [Int]) -> ConvGeometry {
        ConvGeometry(inputShape: shape, kernelSize: kernelSize, stride: stride, padding: padding)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let g = geometry(for: inputShape)
        return [inputShape[0], g.outputHeight, g.outputWidth, outputChannels]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (n, h, w, c) = input.nhwc
        precondition(c == inputChannels, "Conv2d expects \(inputChannels) channels, got \(c)")
        let g = geometry(for: input.shape)
        geometry = g
        let path = self.path
        if path == .winograd {
            let output = winogradForward(input, geometry: g)
            keepForBackward(input: input, output: output, training: training)
            return output
        }
        let rows = g.outputHeight * g.outputWidth
        let patch = kernelSize * kernelSize * c
        let cout = outputChannels
        let block = blockImages(rowsPerImage: rows, patch: patch)
        let scratch = block * rows * patch
        let workers = max(1, min(Compute.activeThreads, n))
        if path == .im2col && columns.count < workers * scratch {
            columns = [Float](repeating: 0, count: workers * scratch)
        }
        let direct = path == .direct ? DirectConvolution(geometry: g, channels: c, outputChannels: cout) : nil
        var output = Tensor(uninitialized: [n, g.outputHeight, g.outputWidth, cout])  // (N, OH, OW, Cout)
        let biasValues = bias?.value ?? []
        let relu = fusedReLU
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wPtr in
                biasValues.withUnsafeBufferPointer { b in
                    output.data.withUnsafeMutableBufferPointer { y in
                        columns.withUnsafeMutableBufferPointer { cols in
                            let x = x.baseAddress!, wPtr = wPtr.baseAddress!, y = y.baseAddress!
                            let colsBase = cols.baseAddress
                            // An empty array may still have a base address: decide by the parameter.
                            let biasBase = biasValues.isEmpty ? nil : b.baseAddress
                            Compute.chunks(n) { images, worker in
                                if let direct {
                                    Kernels.directForward(
                                        direct, input: x, weight: wPtr, bias: biasBase, relu: relu, images: images,
                                        output: y)
                                    return
                                }
                                let out = y + images.lowerBound * rows * cout
                                // The bias is written first and sgemm adds onto it (beta 1), saving a pass.
                                let beta: Float = biasBase == nil ? 0 : 1
                                if let biasBase {
                                    fillRows(biasBase, width: cout, into: out, rows: images.count * rows)
                                }
                                if path == .pointwise {
                                    gemm(
                                        m: images.count * rows, n: cout, k: patch, a: x + images.lowerBound * h * w * c,
                                        lda: patch,
                                        b: wPtr, ldb: cout, beta: beta, c: out, ldc: cout)
                                } else {
                                    // Blocks of images whose patch rows stay in L2 between im2col and sgemm.
                                    let target = colsBase! + worker * scratch
                                    for start in Swift.stride(from: images.lowerBound, to: images.upperBound, by: block)
                                    {
                                        let sub = start..<min(start + block, images.upperBound)
                                        im2col(input: x, channels: c, geometry: g, images: sub, columns: target)
                                        gemm(
                                            m: sub.count * rows, n: cout, k: patch, a: target, lda: patch, b: wPtr,
                                            ldb: cout,
                                            beta: beta, c: y + start * rows * cout, ldc: cout)
                                    }
                                }
                                if relu { Kernels.reluInPlace(out, count: images.count * rows * cout) }
                            }
                        }
                    }
                }
            }
        }
        keepForBackward(input: input, output: output, training: training)
        return output
    }

    /// Keeps what backward reads: the input (backward rebuilds the patch rows from it) and,
    /// for a fused ReLU whose gradient arrives unmasked, the output.
    private func keepForBackward(input: Tensor, output: Tensor, training: Bool) {
        guard training else { return }
        self.input = input
        if fusedReLU && !gradientArrivesMasked { self.output = output }
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("Conv2d.backward before forward") }
        let (n, oh, ow, cout) = dOutput.nhwc
        let patch = kernelSize * kernelSize * inputChannels
        let rows = oh * ow
        let plan = ConvBackwardPlan(
            geometry: g, channels: inputChannels, outputChannels: cout, rows: rows, patch: patch,
            block: blockImages(rowsPerImage: rows, patch: patch), path: path, wantInput: needsInputGradient,
            relu: fusedReLU && !gradientArrivesMasked, hasBias: bias != nil,
            direct: path == .direct
                ? DirectConvolution(geometry: g, channels: inputChannels, outputChannels: cout) : nil,
            winograd: path == .winograd
                ? WinogradConvolution(geometry: g, channels: inputChannels, outputChannels: cout) : nil)
        let workers = max(1, min(Compute.activeThreads, n))
        reserveBackwardScratch(plan, workers: workers, gradientCount: dOutput.count)
        var dInput =
            plan.wantInput
            ? Tensor(uninitialized: [n, g.inputHeight, g.inputWidth, inputChannels]) : Tensor(zeros: [0])
        dOutput.data.withUnsafeBufferPointer { dy in
            weight.value.withUnsafeBufferPointer { w in
                input.data.withUnsafeBufferPointer { x in
                    output.data.withUnsafeBufferPointer { y in
                        columns.withUnsafeMutableBufferPointer { cols in
                            partialGrads.withUnsafeMutableBufferPointer { partial in
                                maskedGradient.withUnsafeMutableBufferPointer { masked in
                                    dInput.data.withUnsafeMutableBufferPointer { dx in
                                        transformedWeights.withUnsafeBufferPointer { u in
                                            let buffers = ConvBackwardBuffers(
                                                dOutput: dy.baseAddress!, weight: w.baseAddress!,
                                                transformedWeight: u.baseAddress, input: x.baseAddress,
                                                output: y.baseAddress, columns: cols.baseAddress,
                                                partialGradients: partial.baseAddress!,
                                                maskedGradient: masked.baseAddress, dInput: dx.baseAddress)
                                            Compute.chunks(n) { images, worker in
                                                plan.run(images, worker: worker, buffers)
                                            }
                                            plan.sumPartialGradients(buffers.partialGradients, workers: workers)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        weight.grad = Array(partialGrads[0..<plan.weightCount])
        if plan.hasBias { bias?.grad = Array(partialGrads[plan.weightCount..<plan.slot]) }
        return dInput
    }

    /// Grows the scratch arrays `plan` needs for `workers` chunks (they are kept between steps).
    private func reserveBackwardScratch(_ plan: ConvBackwardPlan, workers: Int, gradientCount: Int) {
        if partialGrads.count < workers * plan.slot { partialGrads = [Float](repeating: 0, count: workers * plan.slot) }
        if plan.needsColumns && columns.count < workers * plan.scratch {
            columns = [Float](repeating: 0, count: workers * plan.scratch)
        }
        if plan.relu && maskedGradient.count < gradientCount {
            maskedGradient = [Float](repeating: 0, count: gradientCount)
        }
    }
}

/// Adds `vector` to each of `rows` rows of a `(rows, vector.count)` matrix.
@inline(__always)
func addRowVector(_ vector: [Float], to matrix: UnsafeMutablePointer<Float>, rows: Int) {
    vector.withUnsafeBufferPointer { v in addRowVector(v.baseAddress!, count: v.count, to: matrix, rows: rows) }
}

/// Adds the `count` values at `vector` to each of `rows` rows of a `(rows, count)` matrix.
@inline(__always)
func addRowVector(_ vector: UnsafePointer<Float>, count width: Int, to matrix: UnsafeMutablePointer<Float>, rows: Int) {
    for row in 0..<rows {
        let target = matrix + row * width
        for i in 0..<width { target[i] += vector[i] }
    }
}

/// Column sums of a `(rows, columns)` matrix into `result` (overwritten).
@inline(__always)
func sumRows(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into result: UnsafeMutablePointer<Float>) {
    result.update(repeating: 0, count: columns)
    for row in 0..<rows {
        let source = matrix + row * columns
        for i in 0..<columns { result[i] += source[i] }
    }
}
