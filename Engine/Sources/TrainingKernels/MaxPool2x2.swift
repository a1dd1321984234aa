// The common max pooling case — 2x2 windows, stride 2, no padding, channels a multiple of
// 8 — as straight-line SIMD code: four loads, three compare-and-selects per 8 channels,
// and a backward pass that writes each input once instead of zeroing and scattering.
// Same results as MaxPool2d's general loops, ties included (the first maximum in
// (0,0), (0,1), (1,0), (1,1) order wins).

public enum MaxPool2x2 {
    /// Whether the fast kernels apply to a pool with these settings and channel count.
    public static func suits(size: Int, stride: Int, geometry g: ConvGeometry, channels: Int) -> Bool {
        // "same" padding of an odd size adds a last, padded window row or column, which these
        // kernels (floor(H/2) × floor(W/2) windows) would leave unwritten.
        size == 2 && stride == 2 && g.padTop == 0 && g.padLeft == 0 && channels % 8 == 0
            && g.outputHeight == g.inputHeight / 2 && g.outputWidth == g.inputWidth / 2
    }

    @usableFromInline static var laneOffsets: SIMD8<Int32> { SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) }

    /// Window (oy, ox) of one image: the element offsets of its four inputs in (0,0), (0,1),
    /// (1,0), (1,1) order, and the byte offset of its output.
    @inlinable @inline(__always)
    static func window(
        _ oy: Int, _ ox: Int, width w: Int, outputWidth ow: Int, channels c: Int
    ) -> (corners: SIMD4<Int>, output: Int) {
        let topLeft = (2 * oy * w + 2 * ox) * c
        return (SIMD4<Int>(topLeft, topLeft + c, topLeft + w * c, topLeft + (w + 1) * c), (oy * ow + ox) * c * 4)
    }

    /// Max of every 2x2 window of images `images`, and the flat in-image offset of the winner.
    /// - input: `(N, H, W, C)`; output and winners: `(N, H/2, W/2, C)`.
    @inlinable @inline(__always)
    public static func forward(
        input: UnsafePointer<Float>, height h: Int, width w: Int, channels c: Int, images: Range<Int>,
        output: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>
    ) {
        let (oh, ow) = (h / 2, w / 2)
        for image in images {
            let x = UnsafeRawPointer(input + image * h * w * c)
            let y = UnsafeMutableRawPointer(output + image * oh * ow * c)
            let idx = UnsafeMutableRawPointer(winners + image * oh * ow * c)
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let (corners, o) = window(oy, ox, width: w, outputWidth: ow, channels: c)
                    for ch in stride(from: 0, to: c, by: 8) {
                        var best = x.loadUnaligned(fromByteOffset: (corners[0] + ch) * 4, as: SIMD8<Float>.self)
                        var index = SIMD8<Int32>(repeating: Int32(corners[0] + ch)) &+ laneOffsets
                        for k in 1..<4 {
                            let corner = corners[k]
                            let candidate = x.loadUnaligned(fromByteOffset: (corner + ch) * 4, as: SIMD8<Float>.self)
                            let better = candidate .> best
                            best.replace(with: candidate, where: better)
                            index.replace(
                                with: SIMD8<Int32>(repeating: Int32(corner + ch)) &+ laneOffsets, where: better)
                        }
                        y.storeBytes(of: best, toByteOffset: o + ch * 4, as: SIMD8<Float>.self)
                        idx.storeBytes(of: index, toByteOffset: o + ch * 4, as: SIMD8<Int32>.self)
                    }
                }
            }
        }
    }

    /// Routes each output gradient to its window's winner; every other input gets 0.
    /// - dOutput and winners: `(N, H/2, W/2, C)`; dInput: `(N, H, W, C)`, fully written.
    @inlinable @inline(__always)
    public static func backward(
        dOutput: UnsafePointer<Float>, winners: UnsafePointer<Int32>, height h: Int, width w: Int,
        channels c: Int, images: Range<Int>, dInput: UnsafeMutablePointer<Float>
    ) {
        let (oh, ow) = (h / 2, w / 2)
        for image in images {
            let dx = dInput + image * h * w * c
            // Odd sizes leave a last row or column outside every window.
            if h % 2 != 0 || w % 2 != 0 { dx.update(repeating: 0, count: h * w * c) }
            let dy = UnsafeRawPointer(dOutput + image * oh * ow * c)
            let idx = UnsafeRawPointer(winners + image * oh * ow * c)
            let target = UnsafeMutableRawPointer(dx)
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let (corners, o) = window(oy, ox, width: w, outputWidth: ow, channels: c)
                    for ch in stride(from: 0, to: c, by: 8) {
                        let gradient = dy.loadUnaligned(fromByteOffset: o + ch * 4, as: SIMD8<Float>.self)
                        let index = idx.loadUnaligned(fromByteOffset: o + ch * 4, as: SIMD8<Int32>.self)
                        for k in 0..<4 {
                            let corner = corners[k]
                            let mine = SIMD8<Int32>(repeating: Int32(corner + ch)) &+ laneOffsets
                            let value = SIMD8<Float>.zero.replacing(with: gradient, where: index .== mine)
                            target.storeBytes(of: value, toByteOffset: (corner + ch) * 4, as: SIMD8<Float>.self)
                        }
                    }
                }
            }
        }
    }
}
