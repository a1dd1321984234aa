// BorderedImage: scratch for one NHWC image at a time, copied inside a border of zeros wide
// enough that every window of a convolution geometry lies in it. Kernels that read from it
// need no bounds check per tap: the zeros stand for the padding. The border is zeroed once;
// each `fill` rewrites only the same interior, so it stays zero from image to image.

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
        let g = geometry, c = channels
        let rows = max(0, min(g.inputHeight, height - g.padTop))
        let columns = max(0, min(g.inputWidth, width - g.padLeft))
        guard columns > 0 else { return }
        for iy in 0..<rows {
            (values + ((iy + g.padTop) * width + g.padLeft) * c).update(
                from: image + iy * g.inputWidth * c, count: columns * c)
        }
    }
}
