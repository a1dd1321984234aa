// DepthwiseConvolution's loops for 3x3 kernels (every depthwise layer of MobileNet and
// FOMO). Each image is first copied into a zero border (BorderedImage), so every output
// pixel's window lies inside it and no pixel takes the slow edge path; on MobileNet's 12x12,
// 6x6 and 3x3 maps most pixels are edge pixels. The nine weights of a channel group stay in
// registers. The weight gradient takes one pass over the output pixels with a running sum
// per tap (all nine with AVX2; with the portable build's sixteen SSE registers, one kernel
// row of three per pass) instead of one pass per tap: ten loads per nine multiply-adds
// instead of two per multiply-add.

/// The nine weights `(3, 3)` of one group of eight channels.
@usableFromInline
struct ThreeByThreeTaps {
    @usableFromInline let w0, w1, w2, w3, w4, w5, w6, w7, w8: SIMD8<Float>

    /// The taps of `group` from `(3, 3, channels)` weights.
    @inlinable @inline(__always)
    init(_ weight: UnsafePointer<Float>, group: Int, channels c: Int) {
        let w = weight + group
        (w0, w1, w2) = (
            DepthwiseConvolution.load(w), DepthwiseConvolution.load(w + c), DepthwiseConvolution.load(w + 2 * c)
        )
        (w3, w4, w5) = (
            DepthwiseConvolution.load(w + 3 * c), DepthwiseConvolution.load(w + 4 * c),
            DepthwiseConvolution.load(w + 5 * c)
        )
        (w6, w7, w8) = (
            DepthwiseConvolution.load(w + 6 * c), DepthwiseConvolution.load(w + 7 * c),
            DepthwiseConvolution.load(w + 8 * c)
        )
    }

    /// `start + Σ_taps window · weight` for the window whose top-left value is at `p`, rows
    /// `pitch` values apart and pixels `c` apart.
    @inlinable @inline(__always)
    func window<M: MultiplyAdd>(
        _ p: UnsafePointer<Float>, pitch: Int, c: Int, _ start: SIMD8<Float>, _: M.Type
    )
        -> SIMD8<Float>
    {
        typealias D = DepthwiseConvolution
        var sum = M.add(start, D.load(p), w0)
        sum = M.add(sum, D.load(p + c), w1)
        sum = M.add(sum, D.load(p + 2 * c), w2)
        sum = M.add(sum, D.load(p + pitch), w3)
        sum = M.add(sum, D.load(p + pitch + c), w4)
        sum = M.add(sum, D.load(p + pitch + 2 * c), w5)
        sum = M.add(sum, D.load(p + 2 * pitch), w6)
        sum = M.add(sum, D.load(p + 2 * pitch + c), w7)
        return M.add(sum, D.load(p + 2 * pitch + 2 * c), w8)
    }
}

extension DepthwiseConvolution {
    /// Whether the 3x3 loops apply.
    @inlinable var isThreeByThree: Bool { geometry.kernelHeight == 3 && geometry.kernelWidth == 3 }

    /// `forward` for a 3x3 kernel.
    @inlinable @inline(__always)
    func forwardThreeByThree<M: MultiplyAdd>(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, images: Range<Int>,
        output: UnsafeMutablePointer<Float>, normalizing: ClampedNormalization?, _: M.Type
    ) {
        let g = geometry, c = channels, s = g.stride
        let bordered = BorderedImage(geometry: g, channels: c)
        defer { bordered.deallocate() }
        let pitch = bordered.width * c, step = s * c
        for image in images {
            bordered.fill(from: input + image * g.inputHeight * g.inputWidth * c, normalizing: normalizing, M.self)
            let y = output + image * g.outputHeight * g.outputWidth * c
            for group in Swift.stride(from: 0, to: c, by: 8) {
                let start = bias.map { Self.load($0 + group) } ?? .zero
                let taps = ThreeByThreeTaps(weight, group: group, channels: c)
                for oy in 0..<g.outputHeight {
                    let top = UnsafePointer(bordered.values) + oy * s * pitch + group
                    let row = y + oy * g.outputWidth * c + group
                    var ox = 0
                    // Four pixels at a time keep four independent chains of multiply-adds in flight.
                    while ox + 4 <= g.outputWidth {
                        let p = top + ox * step
                        let s0 = taps.window(p, pitch: pitch, c: c, start, M.self)
                        let s1 = taps.window(p + step, pitch: pitch, c: c, start, M.self)
                        let s2 = taps.window(p + 2 * step, pitch: pitch, c: c, start, M.self)
                        let s3 = taps.window(p + 3 * step, pitch: pitch, c: c, start, M.self)
                        let out = row + ox * c
                        Self.store(s0, out)
                        Self.store(s1, out + c)
                        Self.store(s2, out + 2 * c)
                        Self.store(s3, out + 3 * c)
                        ox += 4
                    }
                    while ox < g.outputWidth {
                        Self.store(taps.window(top + ox * step, pitch: pitch, c: c, start, M.self), row + ox * c)
                        ox += 1
                    }
                }
            }
        }
    }

    /// `accumulateWeightGradient` for a 3x3 kernel.
    @inlinable @inline(__always)
    func accumulateWeightGradientThreeByThree<M: MultiplyAdd>(
        input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, images: Range<Int>,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?, normalizing: ClampedNormalization?,
        _: M.Type
    ) {
        let g = geometry, c = channels
        let bordered = BorderedImage(geometry: g, channels: c)
        defer { bordered.deallocate() }
        for image in images {
            bordered.fill(from: input + image * g.inputHeight * g.inputWidth * c, normalizing: normalizing, M.self)
            let dy = dOutput + image * g.outputHeight * g.outputWidth * c
            for group in Swift.stride(from: 0, to: c, by: 8) {
                if M.gradientSumsPerPass >= 9 {
                    accumulateTapRows(0, rowCount: 3, bordered, dy: dy, group: group, dWeight: dWeight, M.self)
                } else {
                    for ky in 0..<3 {
                        accumulateTapRows(ky, rowCount: 1, bordered, dy: dy, group: group, dWeight: dWeight, M.self)
                    }
                }
                guard let dBias else { continue }
                var sum = SIMD8<Float>.zero
                for pixel in 0..<(g.outputHeight * g.outputWidth) { sum += Self.load(dy + pixel * c + group) }
                Self.store(Self.load(dBias + group) + sum, dBias + group)
            }
        }
    }

    /// Adds `Σ_pixels dOutput · window(tap)` to `dWeight` for the taps of kernel rows
    /// `firstRow ..< firstRow + rowCount` (`rowCount` 1 or 3, a literal at every call so the
    /// unused sums compile away) of one channel group, in one pass over the output pixels.
    @inlinable @inline(__always)
    func accumulateTapRows<M: MultiplyAdd>(
        _ firstRow: Int, rowCount: Int, _ bordered: BorderedImage, dy: UnsafePointer<Float>, group: Int,
        dWeight: UnsafeMutablePointer<Float>, _: M.Type
    ) {
        let g = geometry, c = channels
        let pitch = bordered.width * c, step = g.stride * c
        var a0 = SIMD8<Float>.zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0
        for oy in 0..<g.outputHeight {
            let d = dy + oy * g.outputWidth * c + group
            let top = UnsafePointer(bordered.values) + (oy * g.stride + firstRow) * pitch + group
            for ox in 0..<g.outputWidth {
                let e = Self.load(d + ox * c), p = top + ox * step
                a0 = M.add(a0, e, Self.load(p))
                a1 = M.add(a1, e, Self.load(p + c))
                a2 = M.add(a2, e, Self.load(p + 2 * c))
                if rowCount == 3 {
                    a3 = M.add(a3, e, Self.load(p + pitch))
                    a4 = M.add(a4, e, Self.load(p + pitch + c))
                    a5 = M.add(a5, e, Self.load(p + pitch + 2 * c))
                    a6 = M.add(a6, e, Self.load(p + 2 * pitch))
                    a7 = M.add(a7, e, Self.load(p + 2 * pitch + c))
                    a8 = M.add(a8, e, Self.load(p + 2 * pitch + 2 * c))
                }
            }
        }
        @inline(__always) func add(_ sum: SIMD8<Float>, tap: Int) {
            let target = dWeight + tap * c + group
            Self.store(Self.load(target) + sum, target)
        }
        let first = firstRow * 3
        add(a0, tap: first)
        add(a1, tap: first + 1)
        add(a2, tap: first + 2)
        guard rowCount == 3 else { return }
        add(a3, tap: 3)
        add(a4, tap: 4)
        add(a5, tap: 5)
        add(a6, tap: 6)
        add(a7, tap: 7)
        add(a8, tap: 8)
    }
}
