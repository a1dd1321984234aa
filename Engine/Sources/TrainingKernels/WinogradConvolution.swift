// WinogradConvolution: a 3x3 stride-1 convolution, its input gradient and its weight
// gradient through Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, 2016). Each
// 4×4 block of output pixels ("tile") comes from a 6×6 window of input: the window and the
// filter are taken to a 6×6 transform domain, where the convolution over channels becomes
// 36 independent matrix products (one per transform position ξ) with 4 times fewer
// multiplications than the direct sum; the result is taken back to 4×4 outputs.
//
//   output tile = Aᵀ [ Σ_ci U[ξ](ci, co) · V[ξ](tile, ci) ] A,   U = G g Gᵀ,   V = Bᵀ d B
//
// Training runs the same computation backwards: the output gradient goes to the transform
// domain through the output transform's adjoint (A dY Aᵀ), the weight gradient is
// Gᵀ (Σ_tiles Vᵀ · dM) G, the input gradient is the input transform's adjoint (B dV Bᵀ)
// summed over the overlapping windows. Exact in real arithmetic; in floats the results
// equal the direct sum within rounding (tested against a double-precision reference).
//
// Sizes: the output is covered by ⌈OH/4⌉ × ⌈OW/4⌉ tiles; the windows read a copy of the
// image inside a zero border ("bordered", 4·tiles + 2 per side), which stands for the
// padding and for the rows and columns of a last partial tile. Images go in blocks whose
// transformed values stay in the core's L2 cache. Channels and filters in groups of eight.

/// F(4×4, 3×3) kernels for one convolution geometry.
public struct WinogradConvolution: Sendable {
    /// Whether a convolution takes the Winograd path: 3x3, stride 1, channels and filters in groups of eight.
    public static func suits(kernelSize: Int, stride: Int, channels: Int, outputChannels: Int) -> Bool {
        kernelSize == 3 && stride == 1 && channels % 8 == 0 && outputChannels % 8 == 0
    }

    public let geometry: ConvGeometry
    public let channels: Int, outputChannels: Int
    /// Tiles down and across one image.
    public let tileRows: Int, tileColumns: Int
    /// Rows and columns of the bordered image.
    @usableFromInline let borderedHeight: Int, borderedWidth: Int
    /// Images transformed together.
    public let blockImages: Int

    public var tilesPerImage: Int { tileRows * tileColumns }
    /// Positions of the transform domain (6×6).
    public static let positions = 36
    /// Floats of the transformed filters: U `(36, Cin, Cout)`, then Uᵀ `(36, Cout, Cin)`.
    public var transformedWeightCount: Int { 2 * Self.positions * channels * outputChannels }

    public init(geometry: ConvGeometry, channels: Int, outputChannels: Int) {
        precondition(
            Self.suits(
                kernelSize: geometry.kernelHeight, stride: geometry.stride, channels: channels,
                outputChannels: outputChannels) && geometry.kernelWidth == 3)
        self.geometry = geometry
        self.channels = channels
        self.outputChannels = outputChannels
        tileRows = (geometry.outputHeight + 3) / 4
        tileColumns = (geometry.outputWidth + 3) / 4
        borderedHeight = 4 * tileRows + 2
        borderedWidth = 4 * tileColumns + 2
        // About 512 KB of transformed values per block: V (or dV) and M (or dM).
        let bytesPerImage = tileRows * tileColumns * Self.positions * (channels + outputChannels) * 4
        blockImages = max(1, (512 * 1024) / bytesPerImage)
    }

    /// Floats of scratch one worker needs: the bordered image, V, M and the transformed
    /// weight gradient.
    public var scratchCount: Int {
        borderedHeight * borderedWidth * channels + Self.positions * blockImages * tilesPerImage
            * (channels + outputChannels) + Self.positions * channels * outputChannels
    }

    @usableFromInline var imageSize: Int { geometry.inputHeight * geometry.inputWidth * channels }
    @usableFromInline var outputSize: Int { geometry.outputHeight * geometry.outputWidth * outputChannels }

    /// The scratch regions of one worker.
    @usableFromInline
    struct Scratch {
        @usableFromInline let bordered: UnsafeMutablePointer<Float>
        /// V or dV: `(tiles, 36, Cin)`, tile by tile.
        @usableFromInline let inputDomain: UnsafeMutablePointer<Float>
        /// M or dM: `(tiles, 36, Cout)`, tile by tile.
        @usableFromInline let outputDomain: UnsafeMutablePointer<Float>
        /// dU: `(36, Cin, Cout)`.
        @usableFromInline let weightGradient: UnsafeMutablePointer<Float>

        @inlinable
        init(_ base: UnsafeMutablePointer<Float>, _ w: WinogradConvolution) {
            let tiles = w.blockImages * w.tilesPerImage
            bordered = base
            inputDomain = base + w.borderedHeight * w.borderedWidth * w.channels
            outputDomain = inputDomain + WinogradConvolution.positions * tiles * w.channels
            weightGradient = outputDomain + WinogradConvolution.positions * tiles * w.outputChannels
        }
    }

    /// Calls `body(block, tiles)` for consecutive blocks of `images`.
    @inlinable @inline(__always)
    func forEachBlock(of images: Range<Int>, _ body: (_ block: Range<Int>, _ tiles: Int) -> Void) {
        var start = images.lowerBound
        while start < images.upperBound {
            let block = start..<min(start + blockImages, images.upperBound)
            body(block, block.count * tilesPerImage)
            start = block.upperBound
        }
    }

    // MARK: - Forward

    /// `output = bias + conv(input, weight)`, then ReLU if `relu`, for `images`.
    /// - input: `(N, H, W, Cin)`; transformedWeight: from `transformWeights`; bias: `(Cout)` or nil;
    ///   output: `(N, OH, OW, Cout)`; scratch: `scratchCount` floats of this worker.
    @inlinable @inline(__always)
    public func forward<M: MultiplyAdd>(
        input: UnsafePointer<Float>, transformedWeight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        relu: Bool, images: Range<Int>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        _: M.Type
    ) {
        let s = Scratch(scratch, self)
        let c = channels, k = outputChannels, p = Self.positions
        forEachBlock(of: images) { block, tiles in
            for (slot, image) in block.enumerated() {
                fillBordered(s.bordered, from: input + image * imageSize)
                transformInput(s.bordered, into: s.inputDomain, firstTile: slot * tilesPerImage, M.self)
            }
            for xi in 0..<Self.positions {
                // M[ξ] (tiles, Cout) = V[ξ] (tiles, Cin) · U[ξ] (Cin, Cout)
                SmallMatrixMultiply.multiply(
                    m: tiles, n: k, k: c, a: s.inputDomain + xi * c, rowStride: p * c, depthStride: 1,
                    b: transformedWeight + xi * c * k, c: s.outputDomain + xi * k, ldc: p * k, accumulate: false,
                    M.self)
            }
            for (slot, image) in block.enumerated() {
                transformOutput(
                    s.outputDomain, firstTile: slot * tilesPerImage, bias: bias, relu: relu,
                    into: output + image * outputSize, M.self)
            }
        }
    }

    // MARK: - Backward

    /// The weight gradient (overwritten) and, if `dInput` is given, the input gradient of
    /// `images` (overwritten).
    /// - dOutput: `(N, OH, OW, Cout)`, already masked by any fused activation; dWeight `(3, 3, Cin, Cout)`.
    @inlinable @inline(__always)
    public func backward<M: MultiplyAdd>(
        input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, transformedWeight: UnsafePointer<Float>,
        images: Range<Int>, dWeight: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?,
        scratch: UnsafeMutablePointer<Float>, _: M.Type
    ) {
        let s = Scratch(scratch, self)
        let c = channels, k = outputChannels, p = Self.positions
        let transposedWeight = transformedWeight + Self.positions * c * k
        var first = true
        forEachBlock(of: images) { block, tiles in
            for (slot, image) in block.enumerated() {
                transformOutputGradient(
                    dOutput + image * outputSize, into: s.outputDomain, firstTile: slot * tilesPerImage,
                    M.self)
                fillBordered(s.bordered, from: input + image * imageSize)
                transformInput(s.bordered, into: s.inputDomain, firstTile: slot * tilesPerImage, M.self)
            }
            for xi in 0..<Self.positions {
                let v = s.inputDomain + xi * c, dm = s.outputDomain + xi * k
                // dU[ξ] (Cin, Cout) += V[ξ]ᵀ (Cin, tiles) · dM[ξ] (tiles, Cout)
                SmallMatrixMultiply.multiply(
                    m: c, n: k, k: tiles, a: v, rowStride: 1, depthStride: p * c, b: dm, ldb: p * k,
                    c: s.weightGradient + xi * c * k, accumulate: !first, M.self)
                guard dInput != nil else { continue }
                // dV[ξ] (tiles, Cin) = dM[ξ] (tiles, Cout) · U[ξ]ᵀ (Cout, Cin), over V[ξ] (read above)
                SmallMatrixMultiply.multiply(
                    m: tiles, n: c, k: k, a: dm, rowStride: p * k, depthStride: 1, b: transposedWeight + xi * k * c,
                    c: v, ldc: p * c, accumulate: false, M.self)
            }
            first = false
            guard let dInput else { return }
            for (slot, image) in block.enumerated() {
                s.bordered.update(repeating: 0, count: borderedHeight * borderedWidth * c)
                addInputGradient(s.inputDomain, firstTile: slot * tilesPerImage, into: s.bordered, M.self)
                copyInterior(of: s.bordered, into: dInput + image * imageSize)
            }
        }
        if images.isEmpty {
            dWeight.update(repeating: 0, count: 9 * c * k)
        } else {
            weightGradient(fromTransformed: s.weightGradient, into: dWeight, M.self)
        }
    }
}
