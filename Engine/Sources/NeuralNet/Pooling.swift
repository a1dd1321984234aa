// Pooling: MaxPool2d (remembers the winning input index per output for backward; 2x2
// stride 2 runs the straight-line kernels of MaxPool2x2), AvgPool2d, and GlobalAvgPool
// (NHWC → NC). Windows use ConvGeometry padding rules; "same" max pooling ignores padded
// positions, "same" average pooling divides by the number of real (unpadded) inputs, as
// TensorFlow does.
import TrainingKernels

/// Max over `size`×`size` windows moved by `stride`.
public final class MaxPool2d: Layer {
    public let size: Int
    public let stride: Int
    public let padding: Padding
    public var needsInputGradient = true
    /// Set by `Model` when this pool takes the output of a Conv2d's fused ReLU: backward
    /// routes a window's gradient only where its maximum is positive — the ReLU's mask, since
    /// the winner is the maximum — so the convolution need not mask its 4× larger gradient.
    public internal(set) var masksNonPositiveOutputs = false
    private var inputShape: [Int] = []
    private var winners: [Int32] = []  // (N·OH·OW·C) flat input offset within the image
    private var output = Tensor(zeros: [0])  // kept when `masksNonPositiveOutputs`

    public init(size: Int = 2, stride: Int? = nil, padding: Padding = .valid) {
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
    }

    public var spec: LayerSpec { .maxPool(size: size, stride: stride, padding: padding) }

    private func geometry(_ shape: [Int]) -> ConvGeometry {
        ConvGeometry(
            inputHeight: shape[1], inputWidth: shape[2], kernelHeight: size, kernelWidth: size, stride: stride,
            padding: padding)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let g = geometry(inputShape)
        return [inputShape[0], g.outputHeight, g.outputWidth, inputShape[3]]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (n, h, w, c) = input.nhwc
        let g = geometry(input.shape)
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        var output = Tensor(uninitialized: [n, oh, ow, c])  // (N, OH, OW, C)
        if winners.count != output.count { winners = [Int32](repeating: 0, count: output.count) }
        let fast = MaxPool2x2.suits(size: size, stride: stride, geometry: g, channels: c)
        input.data.withUnsafeBufferPointer { x in
            output.data.withUnsafeMutableBufferPointer { y in
                winners.withUnsafeMutableBufferPointer { idx in
                    let x = x.baseAddress!, y = y.baseAddress!, idx = idx.baseAddress!
                    Compute.chunks(n) { images, _ in
                        if fast {
                            Kernels.maxPoolForward(
                                input: x, height: h, width: w, channels: c, images: images, output: y, winners: idx)
                            return
                        }
                        for image in images {
                            let xi = x + image * h * w * c
                            for oy in 0..<oh {
                                for ox in 0..<ow {
                                    let o = ((image * oh + oy) * ow + ox) * c
                                    var first = true
                                    for ky in 0..<size {
                                        let iy = oy * stride - g.padTop + ky
                                        if iy < 0 || iy >= h { continue }
                                        for kx in 0..<size {
                                            let ix = ox * stride - g.padLeft + kx
                                            if ix < 0 || ix >= w { continue }
                                            let offset = (iy * w + ix) * c
                                            if first {
                                                for ch in 0..<c {
                                                    y[o + ch] = xi[offset + ch]; idx[o + ch] = Int32(offset + ch)
                                                }
                                                first = false
                                            } else if c % 8 == 0 {
                                                // Branch-free: compare and select 8 channels at a time.
                                                let laneOffsets = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
                                                for ch in Swift.stride(from: 0, to: c, by: 8) {
                                                    let candidate = UnsafeRawPointer(xi + offset + ch).loadUnaligned(
                                                        as: SIMD8<Float>.self)
                                                    let yRaw = UnsafeMutableRawPointer(y + o + ch)
                                                    let iRaw = UnsafeMutableRawPointer(idx + o + ch)
                                                    let current = yRaw.loadUnaligned(as: SIMD8<Float>.self)
                                                    let better = candidate .> current
                                                    yRaw.storeBytes(
                                                        of: current.replacing(
                                                            with: candidate, where: candidate .> current),
                                                        as: SIMD8<Float>.self)
                                                    let indices = iRaw.loadUnaligned(as: SIMD8<Int32>.self)
                                                    let fresh =
                                                        SIMD8<Int32>(repeating: Int32(offset + ch)) &+ laneOffsets
                                                    iRaw.storeBytes(
                                                        of: indices.replacing(with: fresh, where: better),
                                                        as: SIMD8<Int32>.self)
                                                }
                                            } else {
                                                for ch in 0..<c where xi[offset + ch] > y[o + ch] {
                                                    y[o + ch] = xi[offset + ch]; idx[o + ch] = Int32(offset + ch)
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
        }
        inputShape = input.shape
        if training && masksNonPositiveOutputs { self.output = output }
        return output
    }

    public func backward(_ incoming: Tensor) -> Tensor {
        let dOutput = masksNonPositiveOutputs ? Self.masked(incoming, where: output) : incoming
        var dInput = Tensor(uninitialized: inputShape)
        let (n, oh, ow, c) = dOutput.nhwc
        let imageSize = inputShape[1] * inputShape[2] * c
        let fast = MaxPool2x2.suits(size: size, stride: stride, geometry: geometry(inputShape), channels: c)
        let inputShape = self.inputShape
        dOutput.data.withUnsafeBufferPointer { dy in
            winners.withUnsafeBufferPointer { idx in
                dInput.data.withUnsafeMutableBufferPointer { dx in
                    let dy = dy.baseAddress!, idx = idx.baseAddress!, dx = dx.baseAddress!
                    let perImage = oh * ow * c
                    Compute.chunks(n) { images, _ in
                        if fast {
                            Kernels.maxPoolBackward(
                                dOutput: dy, winners: idx, height: inputShape[1], width: inputShape[2], channels: c,
                                images: images, dInput: dx)
                            return
                        }
                        (dx + images.lowerBound * imageSize).update(repeating: 0, count: images.count * imageSize)
                        for image in images {
                            let base = image * perImage
                            let target = dx + image * imageSize
                            for i in 0..<perImage { target[Int(idx[base + i])] += dy[base + i] }
                        }
                    }
                }
            }
        }
        return dInput
    }

    /// `gradient` where `output` is positive, 0 elsewhere.
    private static func masked(_ gradient: Tensor, where output: Tensor) -> Tensor {
        precondition(output.count == gradient.count, "MaxPool2d.backward before a training forward")
        var result = Tensor(uninitialized: gradient.shape)
        gradient.data.withUnsafeBufferPointer { g in
            output.data.withUnsafeBufferPointer { y in
                result.data.withUnsafeMutableBufferPointer { r in
                    Kernels.maskPositive(
                        gradient: g.baseAddress!, reference: y.baseAddress!, into: r.baseAddress!, count: gradient.count
                    )
                }
            }
        }
        return result
    }
}

/// Mean over `size`×`size` windows moved by `stride`.
public final class AvgPool2d: Layer {
    public let size: Int
    public let stride: Int
    public let padding: Padding
    public var needsInputGradient = true
    private var inputShape: [Int] = []

    public init(size: Int = 2, stride: Int? = nil, padding: Padding = .valid) {
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
    }

    public var spec: LayerSpec { .avgPool(size: size, stride: stride, padding: padding) }

    private func geometry(_ shape: [Int]) -> ConvGeometry {
        ConvGeometry(
            inputHeight: shape[1], inputWidth: shape[2], kernelHeight: size, kernelWidth: size, stride: stride,
            padding: padding)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let g = geometry(inputShape)
        return [inputShape[0], g.outputHeight, g.outputWidth, inputShape[3]]
    }

    /// Calls `body(outputOffset, inputOffset, 1 / windowCount)` for every (output, input) pair.
    private func forEachWindow(_ shape: [Int], _ body: (Int, Int, Float) -> Void) {
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        let g = geometry(shape)
        for image in 0..<n {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let o = ((image * g.outputHeight + oy) * g.outputWidth + ox) * c
                    let y0 = max(oy * stride - g.padTop, 0), y1 = min(oy * stride - g.padTop + size, h)
                    let x0 = max(ox * stride - g.padLeft, 0), x1 = min(ox * stride - g.padLeft + size, w)
                    let scale = 1 / Float((y1 - y0) * (x1 - x0))
                    for iy in y0..<y1 { for ix in x0..<x1 { body(o, ((image * h + iy) * w + ix) * c, scale) } }
                }
            }
        }
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let c = input.nhwc.c
        var output = Tensor(zeros: outputShape(for: input.shape))
        input.data.withUnsafeBufferPointer { x in
            output.data.withUnsafeMutableBufferPointer { y in
                forEachWindow(input.shape) { o, i, scale in for ch in 0..<c { y[o + ch] += x[i + ch] * scale } }
            }
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let c = inputShape[3]
        var dInput = Tensor(zeros: inputShape)
        dOutput.data.withUnsafeBufferPointer { dy in
            dInput.data.withUnsafeMutableBufferPointer { dx in
                forEachWindow(inputShape) { o, i, scale in for ch in 0..<c { dx[i + ch] += dy[o + ch] * scale } }
            }
        }
        return dInput
    }
}

/// Mean over height and width: `(N, H, W, C)` → `(N, C)`.
public final class GlobalAvgPool: Layer {
    public var needsInputGradient = true
    private var inputShape: [Int] = []
    public init() {}
    public var spec: LayerSpec { .globalAvgPool }
    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape[0], inputShape[3]] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (n, h, w, c) = input.nhwc
        var output = Tensor(zeros: [n, c])
        let scale = 1 / Float(h * w)
        input.data.withUnsafeBufferPointer { x in
            output.data.withUnsafeMutableBufferPointer { y in
                for image in 0..<n {
                    for p in 0..<(h * w) { for ch in 0..<c { y[image * c + ch] += x[(image * h * w + p) * c + ch] } }
                    for ch in 0..<c { y[image * c + ch] *= scale }
                }
            }
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        var dInput = Tensor(uninitialized: inputShape)
        let scale = 1 / Float(h * w)
        dOutput.data.withUnsafeBufferPointer { dy in
            dInput.data.withUnsafeMutableBufferPointer { dx in
                for image in 0..<n {
                    for p in 0..<(h * w) {
                        for ch in 0..<c { dx[(image * h * w + p) * c + ch] = dy[image * c + ch] * scale }
                    }
                }
            }
        }
        return dInput
    }
}
