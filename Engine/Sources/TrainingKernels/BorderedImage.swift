// BorderedImage: scratch for one NHWC image at a time, copied inside a border of zeros wide
// enough that every window of a convolution geometry lies in it. Kernels that read from it
// need no bounds check per tap: the zeros stand for the padding. The border is zeroed once;
// each `fill` rewrites only the same interior, so it stays zero from image to image. A fill
// can also apply the batch norm and ReLU6 that precede the kernel (see Model), so that
// their output is never written out.

/// One image inside a zero border, `(height, width, channels)`, for windows of `geometry`.
@usableFromInline
struct BorderedImage {
    @usableFromInline let geometry: ConvGeometry
    @usableFromInline let channels: Int
    /// Rows and columns with the border: exactly what the windows of every output pixel reach.
    @usableFromInline let height: Int, width: Int
    /// `(height, width, channels)`; input pixel (iy, ix) sits at (iy + padTop, ix + padLeft).
    @usableFromInline let values: UnsafeMutablePointer<Float>

    /// Allocates and zeroes the bordered image; release it with `deallocate`.
    @inlinable
    init(geometry g: ConvGeometry, channels: Int) {
        geometry = g
        self.channels = channels
        height = (g.outputHeight - 1) * g.stride + g.kernelHeight
        width = (g.outputWidth - 1) * g.stride + g.kernelWidth
        values = .allocate(capacity: height * width * channels)
        values.initialize(repeating: 0, count: height * width * channels)
    }

    @inlinable
    func deallocate() { values.deallocate() }

    /// Copies the `(inputHeight, inputWidth, channels)` image at `image` inside the border
    /// (rows and columns no window reaches, as "valid" padding can leave, are dropped).
    @inlinable @inline(__always)
    func fill(from image: UnsafePointer<Float>) {
        forEachRow(of: image) { source, target, count in target.update(from: source, count: count) }
    }

    /// `fill`, with each value x of channel ch stored as the batch norm and ReLU6 that
    /// precede the kernel would have output it: `min(max(x · scale[ch] + shift[ch], 0), 6)`,
    /// computed as `BatchNormalization.normalize` computes it, so the values are the same
    /// bits (channels in whole groups of eight).
    @inlinable @inline(__always)
    func fill<M: MultiplyAdd>(from image: UnsafePointer<Float>, normalizing n: ClampedNormalization, _: M.Type) {
        let c = channels
        forEachRow(of: image) { source, target, count in
            for pixel in Swift.stride(from: 0, to: count, by: c) {
                for group in Swift.stride(from: 0, to: c, by: 8) {
                    let x = UnsafeRawPointer(source + pixel + group).loadUnaligned(as: SIMD8<Float>.self)
                    let scale = UnsafeRawPointer(n.scale + group).loadUnaligned(as: SIMD8<Float>.self)
                    let shift = UnsafeRawPointer(n.shift + group).loadUnaligned(as: SIMD8<Float>.self)
                    var y = M.add(shift, x, scale)
                    y.replace(with: 0, where: y .< 0)
                    y.replace(with: 6, where: y .> 6)
                    UnsafeMutableRawPointer(target + pixel + group).storeBytes(of: y, as: SIMD8<Float>.self)
                }
            }
        }
    }

    /// `fill` with or without a pending normalization.
    @inlinable @inline(__always)
    func fill<M: MultiplyAdd>(from image: UnsafePointer<Float>, normalizing n: ClampedNormalization?, _: M.Type) {
        if let n { fill(from: image, normalizing: n, M.self) } else { fill(from: image) }
    }

    /// Calls `body(source, target, count)` for each image row that lands inside the border.
    @inlinable @inline(__always)
    func forEachRow(
        of image: UnsafePointer<Float>,
        _ body: (_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ count: Int) -> Void
    ) {
        let g = geometry, c = channels
        let rows = max(0, min(g.inputHeight, height - g.padTop))
        let columns = max(0, min(g.inputWidth, width - g.padLeft))
        guard columns > 0 else { return }
        for iy in 0..<rows {
            body(image + iy * g.inputWidth * c, values + ((iy + g.padTop) * width + g.padLeft) * c, columns * c)
        }
    }
}
