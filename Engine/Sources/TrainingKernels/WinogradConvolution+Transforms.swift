// The transforms of WinogradConvolution (F(2×2, 3×3)) and their adjoints, eight channels at a
// time. Each 2-D transform applies a 1-D one to the rows of a tile, then to the columns of
// the result; position ξ = 4·row + column of the 4×4 transform domain.
//
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]    input window d (4×4) → V = Bᵀ d B
//   G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]               filter g (3×3) → U = G g Gᵀ
//   Aᵀ = [1 1 1 0; 0 1 -1 -1]                         product m (4×4) → output Aᵀ m A (2×2)

@usableFromInline typealias Lanes = SIMD8<Float>
@usableFromInline typealias FourLanes = (Lanes, Lanes, Lanes, Lanes)

/// Bᵀ·x.
@inlinable @inline(__always)
func inputTransform(_ x: FourLanes) -> FourLanes { (x.0 - x.2, x.1 + x.2, x.2 - x.1, x.1 - x.3) }

/// B·x: the input transform's adjoint.
@inlinable @inline(__always)
func inputTransformAdjoint(_ x: FourLanes) -> FourLanes { (x.0, x.1 - x.2 + x.3, x.1 + x.2 - x.0, -x.3) }

/// Aᵀ·x.
@inlinable @inline(__always)
func outputTransform(_ x: FourLanes) -> (Lanes, Lanes) { (x.0 + x.1 + x.2, x.1 - x.2 - x.3) }

/// A·x: the output transform's adjoint.
@inlinable @inline(__always)
func outputTransformAdjoint(_ x0: Lanes, _ x1: Lanes) -> FourLanes { (x0, x0 + x1, x0 - x1, -x1) }

extension WinogradConvolution {
    /// Writes the image inside the zero border (input pixel (iy, ix) at (iy + padTop, ix + padLeft));
    /// the rest of `bordered` is zeroed, as it may hold an input gradient from before.
    @inlinable @inline(__always)
    func fillBordered(_ bordered: UnsafeMutablePointer<Float>, from image: UnsafePointer<Float>) {
        let g = geometry, c = channels, rowSize = borderedWidth * c
        let columns = max(0, min(g.inputWidth, borderedWidth - g.padLeft))
        for row in 0..<borderedHeight {
            let target = bordered + row * rowSize
            let iy = row - g.padTop
            guard iy >= 0, iy < g.inputHeight, columns > 0 else {
                target.update(repeating: 0, count: rowSize)
                continue
            }
            target.update(repeating: 0, count: g.padLeft * c)
            (target + g.padLeft * c).update(from: image + iy * g.inputWidth * c, count: columns * c)
            let filled = (g.padLeft + columns) * c
            (target + filled).update(repeating: 0, count: rowSize - filled)
        }
    }

    /// Copies the image's pixels out of `bordered` (the inverse of `fillBordered`'s placement).
    @inlinable @inline(__always)
    func copyInterior(of bordered: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let g = geometry, c = channels
        // Pixels the windows never reach (beyond the last tile) get no gradient.
        let rows = min(g.inputHeight, borderedHeight - g.padTop)
        let columns = max(0, min(g.inputWidth, borderedWidth - g.padLeft))
        for iy in 0..<g.inputHeight {
            let target = image + iy * g.inputWidth * c
            guard iy < rows else {
                target.update(repeating: 0, count: g.inputWidth * c)
                continue
            }
            target.update(from: bordered + ((iy + g.padTop) * borderedWidth + g.padLeft) * c, count: columns * c)
            (target + columns * c).update(repeating: 0, count: (g.inputWidth - columns) * c)
        }
    }

    /// V = Bᵀ d B of every window of one bordered image, as tiles `firstTile...` of V `(16, tiles, Cin)`.
    @inlinable @inline(__always)
    func transformInput(
        _ bordered: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, firstTile: Int, tiles: Int
    ) {
        let c = channels, rowSize = borderedWidth * c, step = tiles * c
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let corner = bordered + 2 * ty * rowSize + 2 * tx * c
                let out = v + (firstTile + ty * tileColumns + tx) * c
                for group in Swift.stride(from: 0, to: c, by: 8) {
                    @inline(__always) func row(_ r: Int) -> FourLanes {
                        let p = corner + r * rowSize + group
                        return inputTransform(
                            (loadLanes(p), loadLanes(p + c), loadLanes(p + 2 * c), loadLanes(p + 3 * c)))
                    }
                    let e0 = row(0), e1 = row(1), e2 = row(2), e3 = row(3)
                    @inline(__always) func put(_ j: Int, _ column: FourLanes) {
                        let p = out + group + j * step
                        storeLanes(column.0, p)
                        storeLanes(column.1, p + 4 * step)
                        storeLanes(column.2, p + 8 * step)
                        storeLanes(column.3, p + 12 * step)
                    }
                    put(0, inputTransform((e0.0, e1.0, e2.0, e3.0)))
                    put(1, inputTransform((e0.1, e1.1, e2.1, e3.1)))
                    put(2, inputTransform((e0.2, e1.2, e2.2, e3.2)))
                    put(3, inputTransform((e0.3, e1.3, e2.3, e3.3)))
                }
            }
        }
    }

    /// Adds B dV Bᵀ of tiles `firstTile...` of dV `(16, tiles, Cin)` into their windows of `bordered`.
    @inlinable @inline(__always)
    func addInputGradient(
        _ dv: UnsafePointer<Float>, firstTile: Int, tiles: Int, into bordered: UnsafeMutablePointer<Float>
    ) {
        let c = channels, rowSize = borderedWidth * c, step = tiles * c
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let corner = bordered + 2 * ty * rowSize + 2 * tx * c
                let source = dv + (firstTile + ty * tileColumns + tx) * c
                for group in Swift.stride(from: 0, to: c, by: 8) {
                    // Row a of dV (its four columns), taken through B along the row.
                    @inline(__always) func row(_ a: Int) -> FourLanes {
                        let p = source + group + 4 * a * step
                        return inputTransformAdjoint(
                            (loadLanes(p), loadLanes(p + step), loadLanes(p + 2 * step), loadLanes(p + 3 * step)))
                    }
                    let k0 = row(0), k1 = row(1), k2 = row(2), k3 = row(3)
                    @inline(__always) func add(_ column: Int, _ values: FourLanes) {
                        let p = corner + column * c + group
                        storeLanes(loadLanes(p) + values.0, p)
                        storeLanes(loadLanes(p + rowSize) + values.1, p + rowSize)
                        storeLanes(loadLanes(p + 2 * rowSize) + values.2, p + 2 * rowSize)
                        storeLanes(loadLanes(p + 3 * rowSize) + values.3, p + 3 * rowSize)
                    }
                    add(0, inputTransformAdjoint((k0.0, k1.0, k2.0, k3.0)))
                    add(1, inputTransformAdjoint((k0.1, k1.1, k2.1, k3.1)))
                    add(2, inputTransformAdjoint((k0.2, k1.2, k2.2, k3.2)))
                    add(3, inputTransformAdjoint((k0.3, k1.3, k2.3, k3.3)))
                }
            }
        }
    }

    /// Output pixels of one image from tiles `firstTile...` of M `(16, tiles, Cout)`: Aᵀ m A,
    /// plus the bias, then ReLU if `relu`; the half tiles past the last row or column are dropped.
    @inlinable @inline(__always)
    func transformOutput(
        _ m: UnsafePointer<Float>, firstTile: Int, tiles: Int, bias: UnsafePointer<Float>?, relu: Bool,
        into output: UnsafeMutablePointer<Float>
    ) {
        let k = outputChannels, step = tiles * k, g = geometry
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let source = m + (firstTile + ty * tileColumns + tx) * k
                let rows = min(2, g.outputHeight - 2 * ty), columns = min(2, g.outputWidth - 2 * tx)
                let corner = output + (2 * ty * g.outputWidth + 2 * tx) * k
                for group in Swift.stride(from: 0, to: k, by: 8) {
                    @inline(__always) func row(_ r: Int) -> (Lanes, Lanes) {
                        let p = source + group + 4 * r * step
                        return outputTransform(
                            (loadLanes(p), loadLanes(p + step), loadLanes(p + 2 * step), loadLanes(p + 3 * step)))
                    }
                    let e0 = row(0), e1 = row(1), e2 = row(2), e3 = row(3)
                    let b = bias.map { loadLanes($0 + group) } ?? Lanes()
                    @inline(__always) func put(_ y: Int, _ x: Int, _ value: Lanes) {
                        guard y < rows, x < columns else { return }
                        var value = value + b
                        if relu { value.replace(with: 0, where: value .< 0) }
                        storeLanes(value, corner + (y * g.outputWidth + x) * k + group)
                    }
                    let left = outputTransform((e0.0, e1.0, e2.0, e3.0))
                    let right = outputTransform((e0.1, e1.1, e2.1, e3.1))
                    put(0, 0, left.0)
                    put(1, 0, left.1)
                    put(0, 1, right.0)
                    put(1, 1, right.1)
                }
            }
        }
    }

    /// dM = A dY Aᵀ of every tile of one image's output gradient, as tiles `firstTile...` of
    /// dM `(16, tiles, Cout)`; pixels of half tiles past the output count as zero.
    @inlinable @inline(__always)
    func transformOutputGradient(
        _ dOutput: UnsafePointer<Float>, into dm: UnsafeMutablePointer<Float>, firstTile: Int, tiles: Int
    ) {
        let k = outputChannels, step = tiles * k, g = geometry
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let target = dm + (firstTile + ty * tileColumns + tx) * k
                let rows = min(2, g.outputHeight - 2 * ty), columns = min(2, g.outputWidth - 2 * tx)
                let corner = dOutput + (2 * ty * g.outputWidth + 2 * tx) * k
                for group in Swift.stride(from: 0, to: k, by: 8) {
                    @inline(__always) func value(_ y: Int, _ x: Int) -> Lanes {
                        y < rows && x < columns ? loadLanes(corner + (y * g.outputWidth + x) * k + group) : Lanes()
                    }
                    let h0 = outputTransformAdjoint(value(0, 0), value(0, 1))
                    let h1 = outputTransformAdjoint(value(1, 0), value(1, 1))
                    @inline(__always) func put(_ j: Int, _ column: FourLanes) {
                        let p = target + group + j * step
                        storeLanes(column.0, p)
                        storeLanes(column.1, p + 4 * step)
                        storeLanes(column.2, p + 8 * step)
                        storeLanes(column.3, p + 12 * step)
                    }
                    put(0, outputTransformAdjoint(h0.0, h1.0))
                    put(1, outputTransformAdjoint(h0.1, h1.1))
                    put(2, outputTransformAdjoint(h0.2, h1.2))
                    put(3, outputTransformAdjoint(h0.3, h1.3))
                }
            }
        }
    }

    /// U = G g Gᵀ `(16, Cin, Cout)` and its transpose Uᵀ `(16, Cout, Cin)` from HWIO weights
    /// `(3, 3, Cin, Cout)`, into `transformedWeightCount` floats.
    public func transformWeights(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let c = channels, k = outputChannels, plane = c * k
        @inline(__always) func filterTransform(_ x0: Float, _ x1: Float, _ x2: Float) -> (Float, Float, Float, Float) {
            (x0, (x0 + x1 + x2) * 0.5, (x0 - x1 + x2) * 0.5, x2)
        }
        for ci in 0..<c {
            for co in 0..<k {
                @inline(__always) func g(_ ky: Int, _ kx: Int) -> Float { weight[((ky * 3 + kx) * c + ci) * k + co] }
                let r0 = filterTransform(g(0, 0), g(0, 1), g(0, 2))
                let r1 = filterTransform(g(1, 0), g(1, 1), g(1, 2))
                let r2 = filterTransform(g(2, 0), g(2, 1), g(2, 2))
                @inline(__always) func put(_ j: Int, _ column: (Float, Float, Float, Float)) {
                    @inline(__always) func set(_ a: Int, _ value: Float) {
                        let xi = 4 * a + j
                        u[xi * plane + ci * k + co] = value
                        u[16 * plane + xi * plane + co * c + ci] = value
                    }
                    set(0, column.0)
                    set(1, column.1)
                    set(2, column.2)
                    set(3, column.3)
                }
                put(0, filterTransform(r0.0, r1.0, r2.0))
                put(1, filterTransform(r0.1, r1.1, r2.1))
                put(2, filterTransform(r0.2, r1.2, r2.2))
                put(3, filterTransform(r0.3, r1.3, r2.3))
            }
        }
    }

    /// dW = Gᵀ dU G `(3, 3, Cin, Cout)` (overwritten) from dU `(16, Cin, Cout)`.
    @inlinable
    func weightGradient(fromTransformed du: UnsafePointer<Float>, into dWeight: UnsafeMutablePointer<Float>) {
        let plane = channels * outputChannels
        @inline(__always) func adjoint(_ x: FourLanes) -> (Lanes, Lanes, Lanes) {
            let half = Lanes(repeating: 0.5)
            return (x.0 + (x.1 + x.2) * half, (x.1 - x.2) * half, (x.1 + x.2) * half + x.3)
        }
        for offset in Swift.stride(from: 0, to: plane, by: 8) {
            @inline(__always) func row(_ a: Int) -> (Lanes, Lanes, Lanes) {
                let p = du + 4 * a * plane + offset
                return adjoint((loadLanes(p), loadLanes(p + plane), loadLanes(p + 2 * plane), loadLanes(p + 3 * plane)))
            }
            let q0 = row(0), q1 = row(1), q2 = row(2), q3 = row(3)
            @inline(__always) func put(_ kx: Int, _ column: (Lanes, Lanes, Lanes)) {
                storeLanes(column.0, dWeight + kx * plane + offset)
                storeLanes(column.1, dWeight + (3 + kx) * plane + offset)
                storeLanes(column.2, dWeight + (6 + kx) * plane + offset)
            }
            put(0, adjoint((q0.0, q1.0, q2.0, q3.0)))
            put(1, adjoint((q0.1, q1.1, q2.1, q3.1)))
            put(2, adjoint((q0.2, q1.2, q2.2, q3.2)))
        }
    }
}
