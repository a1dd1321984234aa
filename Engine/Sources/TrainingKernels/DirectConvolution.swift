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

    @inlinable var taps: Int { tapOffsets.count }

    /// Output columns whose whole window lies inside the image (for rows that do too):
    /// `first..<end`, possibly empty.
    @inlinable var insideColumns: (first: Int, end: Int) {
        let g = geometry
        let first = min((g.padLeft + g.stride - 1) / g.stride, g.outputWidth)
        let end =
            g.inputWidth < g.kernelWidth
            ? 0 : min((g.inputWidth - g.kernelWidth + g.padLeft) / g.stride + 1, g.outputWidth)
        return (first, end)
    }

    /// Input value of tap `t` for the window at (`top`, `left`), 0 where it falls in the padding.
    @inlinable @inline(__always)
    func paddedValue(_ image: UnsafePointer<Float>, top: Int, left: Int, tap t: Int) -> Float {
        let g = geometry
        let iy = top + tapRows[t], ix = left + tapColumns[t]
        guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { return 0 }
        return image[(top * g.inputWidth + left) * channels + tapOffsets[t]]
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
        let (firstInside, endInside) = insideColumns
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
                        // Runs of four; a last partial run is the four ending at `endInside`, which
                        // computes some pixels again (to the same values) instead of one at a time.
                        let start = ox
                        while ox < endInside && endInside - start >= 4 {
                            let first = min(ox, endInside - 4)
                            let window = x + (top * g.inputWidth + first * g.stride - g.padLeft) * channels
                            fourPixels(window, weight, bias, relu, row + first * cout, offsets, M.self)
                            ox = first + 4
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
    /// column sums of `dOutput` to `dBias` (if given), over `images`. Each output row's
    /// pixels whose windows lie inside the image are one small matrix product, window values
    /// `(taps, pixels)` · dOutput `(pixels, Cout)`; pixels whose windows reach into the padding
    /// are added one by one.
    /// - dOutput: `(N, OH, OW, Cout)`, the chunk starting at image `images.lowerBound`.
    @inlinable @inline(__always)
    public func accumulateWeightGradient<M: MultiplyAdd>(
        input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, images: Range<Int>,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?, _ multiplyAdd: M.Type
    ) {
        let g = geometry, cout = outputChannels
        let imageSize = g.inputHeight * g.inputWidth * channels
        let pixels = g.outputHeight * g.outputWidth
        let (firstInside, endInside) = insideColumns
        tapOffsets.withUnsafeBufferPointer { offsets in
            let offsets = offsets.baseAddress!
            for image in images {
                let x = input + image * imageSize
                let dy = dOutput + (image - images.lowerBound) * pixels * cout
                for oy in 0..<g.outputHeight {
                    let top = oy * g.stride - g.padTop
                    let rowInside = top >= 0 && top + g.kernelHeight <= g.inputHeight
                    let start = rowInside ? firstInside : g.outputWidth
                    let end = rowInside ? max(firstInside, endInside) : g.outputWidth
                    for ox in 0..<start { addEdgePixel(x, oy, ox, dy, dWeight, M.self) }
                    for ox in end..<g.outputWidth { addEdgePixel(x, oy, ox, dy, dWeight, M.self) }
                    guard start < end else { continue }
                    SmallMatrixMultiply.multiply(
                        m: taps, n: cout, k: end - start,
                        a: x + (top * g.inputWidth + start * g.stride - g.padLeft) * channels,
                        rows: TabledRows(offsets), depthStride: g.stride * channels,
                        b: dy + (oy * g.outputWidth + start) * cout, c: dWeight, accumulate: true, M.self)
                }
                if let dBias { addColumnSums(of: dy, rows: pixels, into: dBias) }
            }
        }
    }

    /// Adds output pixel (oy, ox)'s contribution to every tap's weight gradient, reading the
    /// window through the padding.
    @inlinable @inline(__always)
    func addEdgePixel<M: MultiplyAdd>(
        _ x: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ dy: UnsafePointer<Float>,
        _ dWeight: UnsafeMutablePointer<Float>, _: M.Type
    ) {
        let g = geometry, cout = outputChannels
        let top = oy * g.stride - g.padTop, left = ox * g.stride - g.padLeft
        let d = dy + (oy * g.outputWidth + ox) * cout
        for t in 0..<taps {
            let value = SIMD8(repeating: paddedValue(x, top: top, left: left, tap: t))
            for group in stride(from: 0, to: cout, by: 8) {
                let target = dWeight + t * cout + group
                storeLanes(M.add(loadLanes(target), value, loadLanes(d + group)), target)
            }
        }
    }

    /// Adds the column sums of a `(rows, Cout)` matrix to `sums`.
    @inlinable @inline(__always)
    func addColumnSums(of matrix: UnsafePointer<Float>, rows: Int, into sums: UnsafeMutablePointer<Float>) {
        let cout = outputChannels
        for group in stride(from: 0, to: cout, by: 8) {
            // Four running sums: one would wait on each add.
            var b0 = SIMD8<Float>.zero, b1 = b0, b2 = b0, b3 = b0
            var row = 0
            while row + 4 <= rows {
                let p = matrix + row * cout + group
                b0 += loadLanes(p)
                b1 += loadLanes(p + cout)
                b2 += loadLanes(p + 2 * cout)
                b3 += loadLanes(p + 3 * cout)
                row += 4
            }
            while row < rows {
                b0 += loadLanes(matrix + row * cout + group)
                row += 1
            }
            add((b0 + b1) + (b2 + b3), to: sums + group)
        }
    }

    /// `target[0..<8] += sum`.
    @inlinable @inline(__always)
    func add(_ sum: SIMD8<Float>, to target: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(target)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + sum, as: SIMD8<Float>.self)
    }
}
