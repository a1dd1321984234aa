// DirectConvolution: convolution without im2col for layers whose patch is tiny, such as a
// 3x3 stem on a gray image (9 values per output pixel). There im2col + sgemm spends its
// time copying and packing, not multiplying. Here each output pixel's channels are
// accumulated in SIMD registers, one tap at a time, and the weight gradient is summed per
// tap over the pixels of an image. Results equal the im2col path up to float summation
// order. Not for input gradients: Conv2d still gets dInput through sgemm + col2im.
// Generic over `MultiplyAdd`: the AVX2 build (TrainingKernelsAVX2) fuses each multiply-add.

/// Direct convolution kernels for one layer geometry.
///
/// Taps are ordered (ky, kx, ci), the row order of HWIO weights, so tap `t` multiplies
/// weight row `t` `(Cout)`.
public struct DirectConvolution: Sendable {
    /// Largest patch (KH·KW·Cin) worth computing directly; larger patches go through sgemm.
    public static let maximumPatch = 27

    /// Whether a layer with this patch and output width takes the direct path.
    public static func suits(patch: Int, outputChannels: Int) -> Bool {
        patch <= maximumPatch && outputChannels % 8 == 0
    }

    public let geometry: ConvGeometry
    public let channels: Int
    public let outputChannels: Int
    /// Offset of each tap from the window's top-left input value, within one image.
    @usableFromInline let tapOffsets: [Int]
    /// Row (ky) and column (kx) of each tap within the window.
    @usableFromInline let tapRows: [Int], tapColumns: [Int]

    public init(geometry: ConvGeometry, channels: Int, outputChannels: Int) {
        self.geometry = geometry
        self.channels = channels
        self.outputChannels = outputChannels
        var offsets: [Int] = [], rows: [Int] = [], columns: [Int] = []
        for ky in 0..<geometry.kernelHeight {
            for kx in 0..<geometry.kernelWidth {
                for ci in 0..<channels {
                    offsets.append((ky * geometry.inputWidth + kx) * channels + ci)
                    rows.append(ky)
                    columns.append(kx)
                }
            }
        }
        tapOffsets = offsets
        tapRows = rows
        tapColumns = columns
    }

    @usableFromInline var taps: Int { tapOffsets.count }

    /// Input value of tap `t` for the window at (`top`, `left`), 0 where it falls in the padding.
    @inlinable @inline(__always)
    func paddedValue(_ image: UnsafePointer<Float>, top: Int, left: Int, tap t: Int) -> Float {
        let g = geometry
        let iy = top + tapRows[t], ix = left + tapColumns[t]
        guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { return 0 }
        return image[(top * g.inputWidth + left) * channels + tapOffsets[t]]
    }

    /// Calls `body(pixel, window, top, left)` for every output pixel of one image, where
    /// `window` is the window's top-left input pointer when the window lies fully inside.
    @inlinable @inline(__always)
    func forEachWindow(
        _ image: UnsafePointer<Float>,
        _ body: (_ pixel: Int, _ window: UnsafePointer<Float>?, _ top: Int, _ left: Int) -> Void
    ) {
        let g = geometry
        for oy in 0..<g.outputHeight {
            let top = oy * g.stride - g.padTop
            let rowInside = top >= 0 && top + g.kernelHeight <= g.inputHeight
            for ox in 0..<g.outputWidth {
                let left = ox * g.stride - g.padLeft
                let inside = rowInside && left >= 0 && left + g.kernelWidth <= g.inputWidth
                body(oy * g.outputWidth + ox, inside ? image + (top * g.inputWidth + left) * channels : nil, top, left)
            }
        }
    }

    /// `output = bias + Σ_t input(tap t) · weight[t]`, then ReLU if `relu`, for `images`.
    /// - input: `(N, H, W, Cin)`; weight: `(taps, Cout)`; bias: `(Cout)` or nil; output: `(N, OH, OW, Cout)`.
    @inlinable @inline(__always)
    public func forward<M: MultiplyAdd>(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
        images: Range<Int>, output: UnsafeMutablePointer<Float>, _ multiplyAdd: M.Type
    ) {
        let g = geometry, cout = outputChannels
        let imageSize = g.inputHeight * g.inputWidth * channels
        let outputSize = g.outputHeight * g.outputWidth * cout
        // Columns whose whole window lies inside the image (for rows that do too).
        let firstInside = min((g.padLeft + g.stride - 1) / g.stride, g.outputWidth)
        let endInside =
            g.inputWidth < g.kernelWidth
            ? 0 : min((g.inputWidth - g.kernelWidth + g.padLeft) / g.stride + 1, g.outputWidth)
        tapOffsets.withUnsafeBufferPointer { offsets in
            let offsets = offsets.baseAddress!
            for image in images {
                let x = input + image * imageSize
                let y = output + image * outputSize
                for oy in 0..<g.outputHeight {
                    let top = oy * g.stride - g.padTop
                    let row = y + oy * g.outputWidth * cout
                    var ox = 0
                    if top >= 0 && top + g.kernelHeight <= g.inputHeight {
                        while ox < firstInside {
                            pixel(
                                x, top: top, left: ox * g.stride - g.padLeft, weight, bias, relu, row + ox * cout,
                                offsets, M.self)
                            ox += 1
                        }
                        while ox + 4 <= endInside {
                            let window = x + (top * g.inputWidth + ox * g.stride - g.padLeft) * channels
                            fourPixels(window, weight, bias, relu, row + ox * cout, offsets, M.self)
                            ox += 4
                        }
                    }
                    while ox < g.outputWidth {
                        pixel(
                            x, top: top, left: ox * g.stride - g.padLeft, weight, bias, relu, row + ox * cout, offsets,
                            M.self)
                        ox += 1
                    }
                }
            }
        }
    }

    /// Four horizontally adjacent output pixels whose windows lie inside the image, `window`
    /// being the first one's top-left input: each tap's weights are loaded once for the four,
    /// and eight sums (four pixels, two groups of eight channels) keep the multiply-adds busy.
    @inlinable @inline(__always)
    func fourPixels<M: MultiplyAdd>(
        _ window: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ relu: Bool,
        _ out: UnsafeMutablePointer<Float>, _ offsets: UnsafePointer<Int>, _: M.Type
    ) {
        let cout = outputChannels, step = geometry.stride * channels
        let out = UnsafeMutableRawPointer(out)
        // A last group of eight computes its sums twice (the second group repeats the first).
        var group = 0
        while group < cout {
            let pair = group + 16 <= cout
            let second = pair ? group + 8 : group
            var a0 = startingSum(bias, group), a1 = a0, a2 = a0, a3 = a0
            var b0 = startingSum(bias, second), b1 = b0, b2 = b0, b3 = b0
            let w0 = UnsafeRawPointer(weight + group), w1 = UnsafeRawPointer(weight + second)
            for t in 0..<taps {
                let u = w0.loadUnaligned(fromByteOffset: t * cout * 4, as: SIMD8<Float>.self)
                let v = w1.loadUnaligned(fromByteOffset: t * cout * 4, as: SIMD8<Float>.self)
                let p = window + offsets[t]
                let x0 = SIMD8(repeating: p[0]), x1 = SIMD8(repeating: p[step])
                let x2 = SIMD8(repeating: p[2 * step]), x3 = SIMD8(repeating: p[3 * step])
                a0 = M.add(a0, x0, u)
                b0 = M.add(b0, x0, v)
                a1 = M.add(a1, x1, u)
                b1 = M.add(b1, x1, v)
                a2 = M.add(a2, x2, u)
                b2 = M.add(b2, x2, v)
                a3 = M.add(a3, x3, u)
                b3 = M.add(b3, x3, v)
            }
            // Pixel k's sums, after the ReLU if `relu`.
            func store(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ k: Int) {
                let a = relu ? a.replacing(with: 0, where: a .< 0) : a
                out.storeBytes(of: a, toByteOffset: (k * cout + group) * 4, as: SIMD8<Float>.self)
                guard pair else { return }
                let b = relu ? b.replacing(with: 0, where: b .< 0) : b
                out.storeBytes(of: b, toByteOffset: (k * cout + second) * 4, as: SIMD8<Float>.self)
            }
            store(a0, b0, 0)
            store(a1, b1, 1)
            store(a2, b2, 2)
            store(a3, b3, 3)
            group += pair ? 16 : 8
        }
    }

    /// One output pixel whose window starts at (`top`, `left`), inside the image or not.
    @inlinable @inline(__always)
    func pixel<M: MultiplyAdd>(
        _ x: UnsafePointer<Float>, top: Int, left: Int, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
        _ relu: Bool, _ output: UnsafeMutablePointer<Float>, _ offsets: UnsafePointer<Int>, _: M.Type
    ) {
        let g = geometry, cout = outputChannels
        let inside =
            top >= 0 && top + g.kernelHeight <= g.inputHeight && left >= 0 && left + g.kernelWidth <= g.inputWidth
        let window: UnsafePointer<Float>? = inside ? x + (top * g.inputWidth + left) * channels : nil
        let out = UnsafeMutableRawPointer(output)
        // Sixteen channels per pass: two independent sums share each broadcast input
        // value. A last group of eight computes its sum twice (s1 repeats s0).
        var group = 0
        while group < cout {
            let pair = group + 16 <= cout
            let second = pair ? group + 8 : group
            var s0 = startingSum(bias, group), s1 = startingSum(bias, second)
            let w0 = UnsafeRawPointer(weight + group), w1 = UnsafeRawPointer(weight + second)
            for t in 0..<taps {
                let value = SIMD8(
                    repeating: window.map { $0[offsets[t]] } ?? paddedValue(x, top: top, left: left, tap: t))
                s0 = M.add(s0, value, w0.loadUnaligned(fromByteOffset: t * cout * 4, as: SIMD8<Float>.self))
                s1 = M.add(s1, value, w1.loadUnaligned(fromByteOffset: t * cout * 4, as: SIMD8<Float>.self))
            }
            if relu {
                s0.replace(with: 0, where: s0 .< 0)
                s1.replace(with: 0, where: s1 .< 0)
            }
            out.storeBytes(of: s0, toByteOffset: group * 4, as: SIMD8<Float>.self)
            if pair { out.storeBytes(of: s1, toByteOffset: second * 4, as: SIMD8<Float>.self) }
            group += pair ? 16 : 8
        }
    }

    /// The bias of channels `group..<group + 8`, or zeros.
    @inlinable @inline(__always)
    func startingSum(_ bias: UnsafePointer<Float>?, _ group: Int) -> SIMD8<Float> {
        bias.map { UnsafeRawPointer($0 + group).loadUnaligned(as: SIMD8<Float>.self) } ?? .zero
    }

    /// Adds `Σ_pixels input(tap t) · dOutput[pixel]` to `dWeight[t]` for every tap, and the
    /// column sums of `dOutput` to `dBias` (if given), over `images`.
    /// - dOutput: `(N, OH, OW, Cout)`, the chunk starting at image `images.lowerBound`.
    @inlinable @inline(__always)
    public func accumulateWeightGradient<M: MultiplyAdd>(
        input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, images: Range<Int>,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?, _ multiplyAdd: M.Type
    ) {
        let g = geometry, cout = outputChannels, taps = self.taps
        let imageSize = g.inputHeight * g.inputWidth * channels
        let pixels = g.outputHeight * g.outputWidth
        tapOffsets.withUnsafeBufferPointer { offsets in
            let offsets = offsets.baseAddress!
            for image in images {
                let x = input + image * imageSize
                let dy = UnsafeRawPointer(dOutput + (image - images.lowerBound) * pixels * cout)
                for group in stride(from: 0, to: cout, by: 8) {
                    // Several taps per pass over the pixels share each dOutput load, each with its
                    // own running sum: nine on AVX2 (a 3x3 gray patch in one pass), three on SSE,
                    // where a sum takes two registers and a fourth tap would run out of them.
                    let perPass = M.gradientSumsPerPass
                    for first in stride(from: 0, to: taps, by: perPass) {
                        let t = (
                            first, min(first + 1, taps - 1), min(first + 2, taps - 1), min(first + 3, taps - 1),
                            min(first + 4, taps - 1), min(first + 5, taps - 1), min(first + 6, taps - 1),
                            min(first + 7, taps - 1), min(first + 8, taps - 1)
                        )
                        let o = (
                            offsets[t.0], offsets[t.1], offsets[t.2], offsets[t.3], offsets[t.4], offsets[t.5],
                            offsets[t.6], offsets[t.7], offsets[t.8]
                        )
                        var s0 = SIMD8<Float>.zero, s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0
                        var s8 = s0
                        forEachWindow(x) { pixel, window, top, left in
                            let d = dy.loadUnaligned(fromByteOffset: (pixel * cout + group) * 4, as: SIMD8<Float>.self)
                            if let window {
                                s0 = M.add(s0, SIMD8(repeating: window[o.0]), d)
                                s1 = M.add(s1, SIMD8(repeating: window[o.1]), d)
                                s2 = M.add(s2, SIMD8(repeating: window[o.2]), d)
                                if perPass > 3 {
                                    s3 = M.add(s3, SIMD8(repeating: window[o.3]), d)
                                    s4 = M.add(s4, SIMD8(repeating: window[o.4]), d)
                                    s5 = M.add(s5, SIMD8(repeating: window[o.5]), d)
                                }
                                if perPass > 6 {
                                    s6 = M.add(s6, SIMD8(repeating: window[o.6]), d)
                                    s7 = M.add(s7, SIMD8(repeating: window[o.7]), d)
                                    s8 = M.add(s8, SIMD8(repeating: window[o.8]), d)
                                }
                            } else {
                                func padded(_ tap: Int) -> SIMD8<Float> {
                                    SIMD8(repeating: paddedValue(x, top: top, left: left, tap: tap))
                                }
                                s0 = M.add(s0, padded(t.0), d)
                                s1 = M.add(s1, padded(t.1), d)
                                s2 = M.add(s2, padded(t.2), d)
                                if perPass > 3 {
                                    s3 = M.add(s3, padded(t.3), d)
                                    s4 = M.add(s4, padded(t.4), d)
                                    s5 = M.add(s5, padded(t.5), d)
                                }
                                if perPass > 6 {
                                    s6 = M.add(s6, padded(t.6), d)
                                    s7 = M.add(s7, padded(t.7), d)
                                    s8 = M.add(s8, padded(t.8), d)
                                }
                            }
                        }
                        let sums = [s0, s1, s2, s3, s4, s5, s6, s7, s8]
                        for k in 0..<min(perPass, taps - first) {
                            add(sums[k], to: dWeight + (first + k) * cout + group)
                        }
                    }
                    guard let dBias else { continue }
                    // Four running sums: one would wait on each add.
                    var b0 = SIMD8<Float>.zero, b1 = b0, b2 = b0, b3 = b0
                    var pixel = 0
                    while pixel + 4 <= pixels {
                        let at = (pixel * cout + group) * 4, row = cout * 4
                        b0 += dy.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
                        b1 += dy.loadUnaligned(fromByteOffset: at + row, as: SIMD8<Float>.self)
                        b2 += dy.loadUnaligned(fromByteOffset: at + 2 * row, as: SIMD8<Float>.self)
                        b3 += dy.loadUnaligned(fromByteOffset: at + 3 * row, as: SIMD8<Float>.self)
                        pixel += 4
                    }
                    while pixel < pixels {
                        b0 += dy.loadUnaligned(fromByteOffset: (pixel * cout + group) * 4, as: SIMD8<Float>.self)
                        pixel += 1
                    }
                    add((b0 + b1) + (b2 + b3), to: dBias + group)
                }
            }
        }
    }

    /// `target[0..<8] += sum`.
    @inlinable @inline(__always)
    func add(_ sum: SIMD8<Float>, to target: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(target)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + sum, as: SIMD8<Float>.self)
    }
}
