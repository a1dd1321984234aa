// DirectConvolution: convolution without im2col for layers whose patch is tiny, such as a
// 3x3 stem on a gray image (9 values per output pixel). There im2col + sgemm spends its
// time copying and packing, not multiplying. Here each output pixel's channels are
// accumulated in SIMD registers, one tap at a time, and the weight gradient is summed per
// tap over the pixels of an image. Results equal the im2col path up to float summation
// order. Not for input gradients: Conv2d still gets dInput through sgemm + col2im.

/// Direct convolution kernels for one layer geometry.
///
/// Taps are ordered (ky, kx, ci), the row order of HWIO weights, so tap `t` multiplies
/// weight row `t` `(Cout)`.
struct DirectConvolution {
    /// Largest patch (KH·KW·Cin) worth computing directly; larger patches go through sgemm.
    static let maximumPatch = 27

    /// Whether a layer with this patch and output width takes the direct path.
    static func suits(patch: Int, outputChannels: Int) -> Bool {
        patch <= maximumPatch && outputChannels % 8 == 0
    }

    let geometry: ConvGeometry
    let channels: Int
    let outputChannels: Int
    /// Offset of each tap from the window's top-left input value, within one image.
    private let tapOffsets: [Int]

    init(geometry: ConvGeometry, channels: Int, outputChannels: Int) {
        self.geometry = geometry
        self.channels = channels
        self.outputChannels = outputChannels
        var offsets: [Int] = []
        for ky in 0..<geometry.kernelHeight {
            for kx in 0..<geometry.kernelWidth {
                for ci in 0..<channels { offsets.append((ky * geometry.inputWidth + kx) * channels + ci) }
            }
        }
        tapOffsets = offsets
    }

    private var taps: Int { tapOffsets.count }

    /// Input value of tap `t` for the window at (`top`, `left`), 0 where it falls in the padding.
    @inline(__always)
    private func paddedValue(_ image: UnsafePointer<Float>, top: Int, left: Int, tap t: Int) -> Float {
        let g = geometry
        let ky = t / (g.kernelWidth * channels), kx = (t / channels) % g.kernelWidth, ci = t % channels
        let iy = top + ky, ix = left + kx
        guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { return 0 }
        return image[(iy * g.inputWidth + ix) * channels + ci]
    }

    /// Calls `body(pixel, window, top, left)` for every output pixel of one image, where
    /// `window` is the window's top-left input pointer when the window lies fully inside.
    @inline(__always)
    private func forEachWindow(_ image: UnsafePointer<Float>,
                               _ body: (_ pixel: Int, _ window: UnsafePointer<Float>?, _ top: Int, _ left: Int) -> Void) {
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
    func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                 images: Range<Int>, output: UnsafeMutablePointer<Float>) {
        let g = geometry, cout = outputChannels, taps = self.taps
        let imageSize = g.inputHeight * g.inputWidth * channels
        let outputSize = g.outputHeight * g.outputWidth * cout
        tapOffsets.withUnsafeBufferPointer { offsets in
            let offsets = offsets.baseAddress!
            for image in images {
                let x = input + image * imageSize
                let y = output + image * outputSize
                forEachWindow(x) { pixel, window, top, left in
                    let out = UnsafeMutableRawPointer(y + pixel * cout)
                    for group in stride(from: 0, to: cout, by: 8) {
                        var sum = bias.map { UnsafeRawPointer($0 + group).loadUnaligned(as: SIMD8<Float>.self) } ?? .zero
                        let w = UnsafeRawPointer(weight + group)
                        if let window {
                            for t in 0..<taps {
                                sum += SIMD8(repeating: window[offsets[t]]) * w.loadUnaligned(fromByteOffset: t * cout * 4, as: SIMD8<Float>.self)
                            }
                        } else {
                            for t in 0..<taps {
                                let value = paddedValue(x, top: top, left: left, tap: t)
                                sum += SIMD8(repeating: value) * w.loadUnaligned(fromByteOffset: t * cout * 4, as: SIMD8<Float>.self)
                            }
                        }
                        if relu { sum.replace(with: 0, where: sum .< 0) }
                        out.storeBytes(of: sum, toByteOffset: group * 4, as: SIMD8<Float>.self)
                    }
                }
            }
        }
    }

    /// Adds `Σ_pixels input(tap t) · dOutput[pixel]` to `dWeight[t]` for every tap, and the
    /// column sums of `dOutput` to `dBias` (if given), over `images`.
    /// - dOutput: `(N, OH, OW, Cout)`, the chunk starting at image `images.lowerBound`.
    func accumulateWeightGradient(input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, images: Range<Int>,
                                  dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?) {
        let g = geometry, cout = outputChannels, taps = self.taps
        let imageSize = g.inputHeight * g.inputWidth * channels
        let pixels = g.outputHeight * g.outputWidth
        tapOffsets.withUnsafeBufferPointer { offsets in
            let offsets = offsets.baseAddress!
            for image in images {
                let x = input + image * imageSize
                let dy = UnsafeRawPointer(dOutput + (image - images.lowerBound) * pixels * cout)
                for group in stride(from: 0, to: cout, by: 8) {
                    // Three taps per pass over the pixels share each dOutput load and keep six
                    // independent SSE accumulators busy; a fourth tap would run out of registers.
                    for first in stride(from: 0, to: taps, by: 3) {
                        let t0 = first, t1 = min(first + 1, taps - 1), t2 = min(first + 2, taps - 1)
                        let (o0, o1, o2) = (offsets[t0], offsets[t1], offsets[t2])
                        var s0 = SIMD8<Float>.zero, s1 = s0, s2 = s0
                        forEachWindow(x) { pixel, window, top, left in
                            let d = dy.loadUnaligned(fromByteOffset: (pixel * cout + group) * 4, as: SIMD8<Float>.self)
                            if let window {
                                s0 += SIMD8(repeating: window[o0]) * d
                                s1 += SIMD8(repeating: window[o1]) * d
                                s2 += SIMD8(repeating: window[o2]) * d
                            } else {
                                s0 += SIMD8(repeating: paddedValue(x, top: top, left: left, tap: t0)) * d
                                s1 += SIMD8(repeating: paddedValue(x, top: top, left: left, tap: t1)) * d
                                s2 += SIMD8(repeating: paddedValue(x, top: top, left: left, tap: t2)) * d
                            }
                        }
                        add(s0, to: dWeight + t0 * cout + group)
                        if first + 1 < taps { add(s1, to: dWeight + t1 * cout + group) }
                        if first + 2 < taps { add(s2, to: dWeight + t2 * cout + group) }
                    }
                    guard let dBias else { continue }
                    var sum = SIMD8<Float>.zero
                    for pixel in 0..<pixels {
                        sum += dy.loadUnaligned(fromByteOffset: (pixel * cout + group) * 4, as: SIMD8<Float>.self)
                    }
                    add(sum, to: dBias + group)
                }
            }
        }
    }

    /// `target[0..<8] += sum`.
    @inline(__always)
    private func add(_ sum: SIMD8<Float>, to target: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(target)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + sum, as: SIMD8<Float>.self)
    }
}
