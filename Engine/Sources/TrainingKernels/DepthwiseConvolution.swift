// DepthwiseConvolution: the loops of a depthwise convolution (one KxK filter per channel,
// depth multiplier 1) on NHWC images, eight channels per SIMD vector, for channel counts
// that are a multiple of 8 (DepthwiseConv2d keeps plain loops for the others). Forward
// keeps four output pixels in flight per tap so the multiply-adds do not wait on each
// other. The weight gradient walks one tap at a time over the rectangle of output pixels
// whose window holds that tap inside the image, so no pixel needs a bounds check; so does
// the input gradient at stride 2, while at stride 1 it is the forward pass over dOutput
// with the kernel turned by 180°. 3x3 kernels take the loops of
// DepthwiseConvolution+ThreeByThree instead (bordered images, nine sums per pass), and
// their input gradient at stride 2 is gathered (DepthwiseConvolution+StrideTwo).
// Generic over `MultiplyAdd`: the AVX2 build (TrainingKernelsAVX2) fuses each multiply-add.

/// Depthwise convolution kernels for one layer geometry.
///
/// `output[n, oy, ox, c] = bias[c] + Σ_{ky, kx} input[n, oy·s + ky − padTop, ox·s + kx − padLeft, c] · weight[ky, kx, c]`
/// - input: `(N, H, W, C)`; weight: `(KH, KW, C)`; bias: `(C)`; output: `(N, OH, OW, C)`.
public struct DepthwiseConvolution: Sendable {
    public let geometry: ConvGeometry
    public let channels: Int

    /// Whether these kernels handle `channels` (whole groups of eight).
    public static func suits(channels: Int) -> Bool { channels > 0 && channels % 8 == 0 }

    public init(geometry: ConvGeometry, channels: Int) {
        precondition(Self.suits(channels: channels), "DepthwiseConvolution needs channels in multiples of 8")
        self.geometry = geometry
        self.channels = channels
    }

    /// The output pixels whose window holds tap (`ky`, `kx`) inside the image: rows and columns.
    @inlinable @inline(__always)
    func validOutputs(ky: Int, kx: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let g = geometry
        return (
            Self.validRange(offset: ky - g.padTop, stride: g.stride, input: g.inputHeight, output: g.outputHeight),
            Self.validRange(offset: kx - g.padLeft, stride: g.stride, input: g.inputWidth, output: g.outputWidth)
        )
    }

    /// The `o` in `0..<output` with `0 <= o·stride + offset < input`.
    @inlinable @inline(__always)
    static func validRange(offset: Int, stride: Int, input: Int, output: Int) -> Range<Int> {
        // first o with o·stride + offset >= 0; last with o·stride + offset <= input − 1
        let first = min(offset >= 0 ? 0 : (-offset + stride - 1) / stride, output)
        let lastPlusOne = input - 1 - offset < 0 ? 0 : (input - 1 - offset) / stride + 1
        let upper = min(lastPlusOne, output)
        return first < upper ? first..<upper : first..<first
    }

    @inlinable @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inlinable @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// `output = bias + Σ_taps input · weight` for `images` (bias nil: zeros). With
    /// `normalizing` (3x3 kernels only), each input value x is read as the batch norm and
    /// ReLU6 before the layer would have output it, `min(max(x · scale + shift, 0), 6)`.
    @inlinable @inline(__always)
    public func forward<M: MultiplyAdd>(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, images: Range<Int>,
        output: UnsafeMutablePointer<Float>, normalizing: ClampedNormalization? = nil, _ multiplyAdd: M.Type
    ) {
        if isThreeByThree {
            forwardThreeByThree(
                input: input, weight: weight, bias: bias, images: images, output: output, normalizing: normalizing,
                M.self)
            return
        }
        precondition(normalizing == nil, "a pending normalization needs a 3x3 kernel")
        let g = geometry, c = channels, k = (g.kernelHeight, g.kernelWidth), s = g.stride
        // Columns whose whole window lies inside the image, for rows that do too.
        let inside = Self.validRange(
            offset: -g.padLeft, stride: s, input: g.inputWidth - k.1 + 1, output: g.outputWidth)
        for image in images {
            let x = input + image * g.inputHeight * g.inputWidth * c
            let y = output + image * g.outputHeight * g.outputWidth * c
            for group in Swift.stride(from: 0, to: c, by: 8) {
                let start = bias.map { Self.load($0 + group) } ?? .zero
                for oy in 0..<g.outputHeight {
                    let top = oy * s - g.padTop
                    let rowInside = top >= 0 && top + k.0 <= g.inputHeight
                    let row = y + oy * g.outputWidth * c + group
                    var ox = 0
                    if rowInside {
                        while ox < inside.lowerBound {
                            Self.store(edgePixel(x, weight, start, oy, ox, group, M.self), row + ox * c)
                            ox += 1
                        }
                        while ox + 4 <= inside.upperBound {
                            let window = x + (top * g.inputWidth + ox * s - g.padLeft) * c + group
                            var s0 = start, s1 = start, s2 = start, s3 = start
                            for ky in 0..<k.0 {
                                for kx in 0..<k.1 {
                                    let w = Self.load(weight + (ky * k.1 + kx) * c + group)
                                    let p = window + (ky * g.inputWidth + kx) * c
                                    s0 = M.add(s0, Self.load(p), w)
                                    s1 = M.add(s1, Self.load(p + s * c), w)
                                    s2 = M.add(s2, Self.load(p + 2 * s * c), w)
                                    s3 = M.add(s3, Self.load(p + 3 * s * c), w)
                                }
                            }
                            let out = row + ox * c
                            Self.store(s0, out)
                            Self.store(s1, out + c)
                            Self.store(s2, out + 2 * c)
                            Self.store(s3, out + 3 * c)
                            ox += 4
                        }
                    }
                    while ox < g.outputWidth {
                        Self.store(edgePixel(x, weight, start, oy, ox, group, M.self), row + ox * c)
                        ox += 1
                    }
                }
            }
        }
    }

    /// One output pixel's eight channels from `group`, checking every tap against the image.
    @inlinable @inline(__always)
    func edgePixel<M: MultiplyAdd>(
        _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ start: SIMD8<Float>, _ oy: Int, _ ox: Int,
        _ group: Int, _: M.Type
    ) -> SIMD8<Float> {
        let g = geometry, c = channels
        var sum = start
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.stride - g.padTop + ky
            guard iy >= 0, iy < g.inputHeight else { continue }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.stride - g.padLeft + kx
                guard ix >= 0, ix < g.inputWidth else { continue }
                sum = M.add(
                    sum, Self.load(x + (iy * g.inputWidth + ix) * c + group),
                    Self.load(weight + (ky * g.kernelWidth + kx) * c + group))
            }
        }
        return sum
    }

    /// Adds `Σ_pixels dOutput · input(tap)` to `dWeight[tap]` for every tap, and the sums of
    /// `dOutput` to `dBias` (if given), over `images`; `normalizing` as in `forward`.
    /// - dOutput: `(N, OH, OW, C)`; dWeight: `(KH, KW, C)`; dBias: `(C)`.
    @inlinable @inline(__always)
    public func accumulateWeightGradient<M: MultiplyAdd>(
        input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, images: Range<Int>,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
        normalizing: ClampedNormalization? = nil, _ multiplyAdd: M.Type
    ) {
        if isThreeByThree {
            accumulateWeightGradientThreeByThree(
                input: input, dOutput: dOutput, images: images, dWeight: dWeight, dBias: dBias,
                normalizing: normalizing, M.self)
            return
        }
        precondition(normalizing == nil, "a pending normalization needs a 3x3 kernel")
        let g = geometry, c = channels, s = g.stride
        for image in images {
            let x = input + image * g.inputHeight * g.inputWidth * c
            let dy = dOutput + image * g.outputHeight * g.outputWidth * c
            for group in Swift.stride(from: 0, to: c, by: 8) {
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        let (rows, columns) = validOutputs(ky: ky, kx: kx)
                        // Four sums over alternating pixels keep four multiply-adds in flight.
                        var s0 = SIMD8<Float>.zero, s1 = s0, s2 = s0, s3 = s0
                        for oy in rows {
                            let iy = oy * s - g.padTop + ky
                            let d = dy + oy * g.outputWidth * c + group
                            let v = x + (iy * g.inputWidth - g.padLeft + kx) * c + group
                            var ox = columns.lowerBound
                            while ox + 4 <= columns.upperBound {
                                s0 = M.add(s0, Self.load(d + ox * c), Self.load(v + ox * s * c))
                                s1 = M.add(s1, Self.load(d + (ox + 1) * c), Self.load(v + (ox + 1) * s * c))
                                s2 = M.add(s2, Self.load(d + (ox + 2) * c), Self.load(v + (ox + 2) * s * c))
                                s3 = M.add(s3, Self.load(d + (ox + 3) * c), Self.load(v + (ox + 3) * s * c))
                                ox += 4
                            }
                            while ox < columns.upperBound {
                                s0 = M.add(s0, Self.load(d + ox * c), Self.load(v + ox * s * c))
                                ox += 1
                            }
                        }
                        let target = dWeight + (ky * g.kernelWidth + kx) * c + group
                        Self.store(Self.load(target) + ((s0 + s1) + (s2 + s3)), target)
                    }
                }
                guard let dBias else { continue }
                var sum = SIMD8<Float>.zero
                for pixel in 0..<(g.outputHeight * g.outputWidth) { sum += Self.load(dy + pixel * c + group) }
                Self.store(Self.load(dBias + group) + sum, dBias + group)
            }
        }
    }

    /// `dInput = Σ_taps dOutput · weight(tap)` routed back to each tap's input pixel, for
    /// `images` (overwritten, zeros where no window reaches).
    /// - dOutput: `(N, OH, OW, C)`; weight: `(KH, KW, C)`; dInput: `(N, H, W, C)`.
    @inlinable @inline(__always)
    public func inputGradient<M: MultiplyAdd>(
        dOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>, images: Range<Int>,
        dInput: UnsafeMutablePointer<Float>, _ multiplyAdd: M.Type
    ) {
        let g = geometry, c = channels, s = g.stride
        if s == 1 {
            // Stride 1: dInput is dOutput convolved with the kernel turned by 180°, which the
            // forward pass computes pixel by pixel, four in flight, with no read-modify-write.
            let kh = g.kernelHeight, kw = g.kernelWidth
            let transposed = DepthwiseConvolution(
                geometry: ConvGeometry(
                    inputHeight: g.outputHeight, inputWidth: g.outputWidth, kernelHeight: kh, kernelWidth: kw,
                    stride: 1, outputHeight: g.inputHeight, outputWidth: g.inputWidth, padTop: kh - 1 - g.padTop,
                    padLeft: kw - 1 - g.padLeft),
                channels: c)
            var turned = [Float](repeating: 0, count: kh * kw * c)  // (KH, KW, C)
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let from = (ky * kw + kx) * c, to = ((kh - 1 - ky) * kw + kw - 1 - kx) * c
                    for ch in 0..<c { turned[to + ch] = weight[from + ch] }
                }
            }
            turned.withUnsafeBufferPointer { turned in
                transposed.forward(
                    input: dOutput, weight: turned.baseAddress!, bias: nil, images: images, output: dInput, M.self)
            }
            return
        }
        if isThreeByThree && s == 2 {
            inputGradientThreeByThreeStrideTwo(
                dOutput: dOutput, weight: weight, images: images, dInput: dInput, M.self)
            return
        }
        let imageSize = g.inputHeight * g.inputWidth * c
        (dInput + images.lowerBound * imageSize).update(repeating: 0, count: images.count * imageSize)
        for image in images {
            let dx = dInput + image * imageSize
            let dy = dOutput + image * g.outputHeight * g.outputWidth * c
            for group in Swift.stride(from: 0, to: c, by: 8) {
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        let w = Self.load(weight + (ky * g.kernelWidth + kx) * c + group)
                        let (rows, columns) = validOutputs(ky: ky, kx: kx)
                        for oy in rows {
                            let iy = oy * s - g.padTop + ky
                            let d = dy + oy * g.outputWidth * c + group
                            let target = dx + (iy * g.inputWidth - g.padLeft + kx) * c + group
                            for ox in columns {
                                let t = target + ox * s * c
                                Self.store(M.add(Self.load(t), Self.load(d + ox * c), w), t)
                            }
                        }
                    }
                }
            }
        }
    }
}
