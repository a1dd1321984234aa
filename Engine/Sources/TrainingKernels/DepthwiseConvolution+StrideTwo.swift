// DepthwiseConvolution's input gradient for a 3x3 kernel at stride 2 (MobileNet's
// downsampling layers), gathered per input pixel instead of scattered per output pixel: each
// input pixel is reached by 1, 2 or 4 taps, picked by the parities of its row and column,
// so every dInput value is written once, with no zeroing first and no read-modify-write.
// dOutput is copied inside a one-pixel zero border (BorderedImage) so the taps that fall
// outside the output map read zeros instead of being checked.

extension DepthwiseConvolution {
    /// `inputGradient` for a 3x3 kernel at stride 2.
    @inlinable @inline(__always)
    func inputGradientThreeByThreeStrideTwo<M: MultiplyAdd>(
        dOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>, images: Range<Int>,
        dInput: UnsafeMutablePointer<Float>, _: M.Type
    ) {
        let g = geometry, c = channels
        // Input row iy is tap row ky of output row oy where 2·oy + ky = iy + padTop; the
        // bordered map holds output rows −1 ... outputHeight, which covers every such oy.
        precondition((g.inputHeight - 1 + g.padTop) / 2 <= g.outputHeight, "stride-2 geometry out of range")
        precondition((g.inputWidth - 1 + g.padLeft) / 2 <= g.outputWidth, "stride-2 geometry out of range")
        let bordered = BorderedImage(
            geometry: ConvGeometry(
                inputHeight: g.outputHeight, inputWidth: g.outputWidth, kernelHeight: 3, kernelWidth: 3, stride: 1,
                outputHeight: g.outputHeight, outputWidth: g.outputWidth, padTop: 1, padLeft: 1),
            channels: c)
        defer { bordered.deallocate() }
        let pitch = bordered.width * c
        for image in images {
            bordered.fill(from: dOutput + image * g.outputHeight * g.outputWidth * c)
            let dx = dInput + image * g.inputHeight * g.inputWidth * c
            for group in Swift.stride(from: 0, to: c, by: 8) {
                let w = ThreeByThreeTaps(weight, group: group, channels: c)
                for iy in 0..<g.inputHeight {
                    let py = iy + g.padTop
                    // dOutput (oy, ox) is at here + (oy − py/2)·pitch + (ox − px/2)·c, see below.
                    let row = UnsafePointer(bordered.values) + (py / 2 + 1) * pitch + c + group
                    let target = dx + iy * g.inputWidth * c + group
                    if py % 2 == 0 {
                        // tap rows 0 (output row py/2) and 2 (output row py/2 − 1)
                        for ix in 0..<g.inputWidth {
                            let px = ix + g.padLeft
                            let here = row + (px / 2) * c
                            var sum: SIMD8<Float>
                            if px % 2 == 0 {
                                sum = M.add(.zero, Self.load(here), w.w0)
                                sum = M.add(sum, Self.load(here - c), w.w2)
                                sum = M.add(sum, Self.load(here - pitch), w.w6)
                                sum = M.add(sum, Self.load(here - pitch - c), w.w8)
                            } else {
                                sum = M.add(.zero, Self.load(here), w.w1)
                                sum = M.add(sum, Self.load(here - pitch), w.w7)
                            }
                            Self.store(sum, target + ix * c)
                        }
                    } else {
                        // tap row 1 (output row (py − 1)/2)
                        for ix in 0..<g.inputWidth {
                            let px = ix + g.padLeft
                            let here = row + (px / 2) * c
                            let sum =
                                px % 2 == 0
                                ? M.add(M.add(.zero, Self.load(here), w.w3), Self.load(here - c), w.w5)
                                : M.add(.zero, Self.load(here), w.w4)
                            Self.store(sum, target + ix * c)
                        }
                    }
                }
            }
        }
    }
}
