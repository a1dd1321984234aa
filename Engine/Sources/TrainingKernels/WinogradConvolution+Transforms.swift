// The transforms of WinogradConvolution (F(4×4, 3×3)) and their adjoints, eight channels at a
// time. They are generic over `MultiplyAdd` (which they do not use) so that each build of the
// kernels compiles its own copy: a non-generic method may be emitted once, in the portable
// build, and called from the AVX2 one. Each 2-D transform applies a 1-D one to the rows of a tile, then to the columns of
// the result; position ξ = 6·row + column of the 6×6 transform domain. The interpolation
// points are 0, ±1, ±2 and ∞ (Lavin & Gray's matrices):
//
//   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//        input window d (6×6) → V = Bᵀ d B
//   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
//        filter g (3×3) → U = G g Gᵀ
//   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
//        product m (6×6) → output Aᵀ m A (4×4)

@usableFromInline typealias Lanes = SIMD8<Float>
@usableFromInline typealias FourLanes = (Lanes, Lanes, Lanes, Lanes)
@usableFromInline typealias SixLanes = (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)

/// Bᵀ·x.
@inlinable @inline(__always)
func inputTransform(_ x: SixLanes) -> SixLanes {
    let four = Lanes(repeating: 4), five = Lanes(repeating: 5), two = Lanes(repeating: 2)
    let a = x.4 - four * x.2, b = x.3 - four * x.1
    let c = x.4 - x.2, d = two * (x.3 - x.1)
    return (four * x.0 - five * x.2 + x.4, a + b, a - b, c + d, c - d, four * x.1 - five * x.3 + x.5)
}

/// B·x: the input transform's adjoint.
@inlinable @inline(__always)
func inputTransformAdjoint(_ x: SixLanes) -> SixLanes {
    let four = Lanes(repeating: 4), five = Lanes(repeating: 5), two = Lanes(repeating: 2)
    return (
        four * x.0,
        four * (x.2 - x.1 + x.5) + two * (x.4 - x.3),
        -five * x.0 - four * (x.1 + x.2) - x.3 - x.4,
        x.1 - x.2 + two * (x.3 - x.4) - five * x.5,
        x.0 + x.1 + x.2 + x.3 + x.4,
        x.5
    )
}

/// Aᵀ·x.
@inlinable @inline(__always)
func outputTransform(_ x: SixLanes) -> FourLanes {
    let two = Lanes(repeating: 2), four = Lanes(repeating: 4), eight = Lanes(repeating: 8)
    let sum12 = x.1 + x.2, difference12 = x.1 - x.2, sum34 = x.3 + x.4, difference34 = x.3 - x.4
    return (
        x.0 + sum12 + sum34, difference12 + two * difference34, sum12 + four * sum34,
        difference12 + eight * difference34 + x.5
    )
}

/// A·x: the output transform's adjoint.
@inlinable @inline(__always)
func outputTransformAdjoint(_ x: FourLanes) -> SixLanes {
    let two = Lanes(repeating: 2), four = Lanes(repeating: 4), eight = Lanes(repeating: 8)
    let even = x.0 + x.2, odd = x.1 + x.3
    let evenByTwo = x.0 + four * x.2, oddByTwo = two * x.1 + eight * x.3
    return (x.0, even + odd, even - odd, evenByTwo + oddByTwo, evenByTwo - oddByTwo, x.3)
}

/// G·x for one filter row or column (eight filters).
@inlinable @inline(__always)
func filterTransform(_ x0: Lanes, _ x1: Lanes, _ x2: Lanes) -> SixLanes {
    let sixth = Lanes(repeating: 1.0 / 6), twelfth = Lanes(repeating: 1.0 / 12)
    let twentyFourth = Lanes(repeating: 1.0 / 24)
    let sum = x0 + x2, outer = x0 * twentyFourth + x2 * sixth
    return (
        x0 * Lanes(repeating: 0.25), -(sum + x1) * sixth, -(sum - x1) * sixth, outer + x1 * twelfth,
        outer - x1 * twelfth, x2
    )
}

/// Gᵀ·x: the filter transform's adjoint.
@inlinable @inline(__always)
func filterTransformAdjoint(_ x: SixLanes) -> (Lanes, Lanes, Lanes) {
    let sixth = Lanes(repeating: 1.0 / 6), twelfth = Lanes(repeating: 1.0 / 12)
    let twentyFourth = Lanes(repeating: 1.0 / 24)
    let sum12 = x.1 + x.2, sum34 = x.3 + x.4
    return (
        x.0 * Lanes(repeating: 0.25) - sum12 * sixth + sum34 * twentyFourth,
        (x.2 - x.1) * sixth + (x.3 - x.4) * twelfth,
        (sum34 - sum12) * sixth + x.5
    )
}

/// Six vectors of eight floats `step` apart, from `p`.
@inlinable @inline(__always)
func loadSix(_ p: UnsafePointer<Float>, step: Int) -> SixLanes {
    (
        loadLanes(p), loadLanes(p + step), loadLanes(p + 2 * step), loadLanes(p + 3 * step), loadLanes(p + 4 * step),
        loadLanes(p + 5 * step)
    )
}

/// Stores six vectors of eight floats `step` apart, from `p`.
@inlinable @inline(__always)
func storeSix(_ x: SixLanes, _ p: UnsafeMutablePointer<Float>, step: Int) {
    storeLanes(x.0, p)
    storeLanes(x.1, p + step)
    storeLanes(x.2, p + 2 * step)
    storeLanes(x.3, p + 3 * step)
    storeLanes(x.4, p + 4 * step)
    storeLanes(x.5, p + 5 * step)
}

/// Calls `body(j, transform(column j))` for the six columns of the 6×6 block whose rows are `rows`.
@inlinable @inline(__always)
func forEachColumn(
    of rows: (SixLanes, SixLanes, SixLanes, SixLanes, SixLanes, SixLanes), through transform: (SixLanes) -> SixLanes,
    _ body: (Int, SixLanes) -> Void
) {
    let (r0, r1, r2, r3, r4, r5) = rows
    body(0, transform((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0)))
    body(1, transform((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1)))
    body(2, transform((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2)))
    body(3, transform((r0.3, r1.3, r2.3, r3.3, r4.3, r5.3)))
    body(4, transform((r0.4, r1.4, r2.4, r3.4, r4.4, r5.4)))
    body(5, transform((r0.5, r1.5, r2.5, r3.5, r4.5, r5.5)))
}

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

    /// V = Bᵀ d B of every window of one bordered image, as tiles `firstTile...` of V `(tiles, 36, Cin)`.
    @inlinable @inline(__always)
    func transformInput<M: MultiplyAdd>(
        _ bordered: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, firstTile: Int, _: M.Type
    ) {
        let c = channels, rowSize = borderedWidth * c, step = c
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let corner = bordered + 4 * ty * rowSize + 4 * tx * c
                let out = v + (firstTile + ty * tileColumns + tx) * Self.positions * c
                for group in Swift.stride(from: 0, to: c, by: 8) {
                    @inline(__always) func row(_ r: Int) -> SixLanes {
                        let p = corner + r * rowSize + group
                        return inputTransform(loadSix(p, step: c))
                    }
                    let e0 = row(0), e1 = row(1), e2 = row(2), e3 = row(3), e4 = row(4), e5 = row(5)
                    @inline(__always) func put(_ j: Int, _ column: SixLanes) {
                        let p = out + group + j * step
                        storeSix(column, p, step: 6 * step)
                    }
                    forEachColumn(of: (e0, e1, e2, e3, e4, e5), through: inputTransform, put)
                }
            }
        }
    }

    /// Adds B dV Bᵀ of tiles `firstTile...` of dV `(tiles, 36, Cin)` into their windows of `bordered`.
    @inlinable @inline(__always)
    func addInputGradient<M: MultiplyAdd>(
        _ dv: UnsafePointer<Float>, firstTile: Int, into bordered: UnsafeMutablePointer<Float>,
        _: M.Type
    ) {
        let c = channels, rowSize = borderedWidth * c, step = c
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let corner = bordered + 4 * ty * rowSize + 4 * tx * c
                let source = dv + (firstTile + ty * tileColumns + tx) * Self.positions * c
                for group in Swift.stride(from: 0, to: c, by: 8) {
                    // Row a of dV (its six columns), taken through B along the row.
                    @inline(__always) func row(_ a: Int) -> SixLanes {
                        let p = source + group + 6 * a * step
                        return inputTransformAdjoint(loadSix(p, step: step))
                    }
                    let k0 = row(0), k1 = row(1), k2 = row(2), k3 = row(3), k4 = row(4), k5 = row(5)
                    @inline(__always) func add(_ column: Int, _ values: SixLanes) {
                        let p = corner + column * c + group
                        storeLanes(loadLanes(p + 0 * rowSize) + values.0, p + 0 * rowSize)
                        storeLanes(loadLanes(p + 1 * rowSize) + values.1, p + 1 * rowSize)
                        storeLanes(loadLanes(p + 2 * rowSize) + values.2, p + 2 * rowSize)
                        storeLanes(loadLanes(p + 3 * rowSize) + values.3, p + 3 * rowSize)
                        storeLanes(loadLanes(p + 4 * rowSize) + values.4, p + 4 * rowSize)
                        storeLanes(loadLanes(p + 5 * rowSize) + values.5, p + 5 * rowSize)
                    }
                    forEachColumn(of: (k0, k1, k2, k3, k4, k5), through: inputTransformAdjoint, add)
                }
            }
        }
    }

    /// Output pixels of one image from tiles `firstTile...` of M `(tiles, 36, Cout)`: Aᵀ m A,
    /// plus the bias, then ReLU if `relu`; the parts of tiles past the last row or column are dropped.
    @inlinable @inline(__always)
    func transformOutput<M: MultiplyAdd>(
        _ m: UnsafePointer<Float>, firstTile: Int, bias: UnsafePointer<Float>?, relu: Bool,
        into output: UnsafeMutablePointer<Float>, _: M.Type
    ) {
        let k = outputChannels, step = k, g = geometry
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let source = m + (firstTile + ty * tileColumns + tx) * Self.positions * k
                let rows = min(4, g.outputHeight - 4 * ty), columns = min(4, g.outputWidth - 4 * tx)
                let corner = output + (4 * ty * g.outputWidth + 4 * tx) * k
                for group in Swift.stride(from: 0, to: k, by: 8) {
                    @inline(__always) func row(_ r: Int) -> FourLanes {
                        let p = source + group + 6 * r * step
                        return outputTransform(loadSix(p, step: step))
                    }
                    let e0 = row(0), e1 = row(1), e2 = row(2), e3 = row(3), e4 = row(4), e5 = row(5)
                    let b = bias.map { loadLanes($0 + group) } ?? Lanes()
                    @inline(__always) func put(_ x: Int, _ column: FourLanes) {
                        guard x < columns else { return }
                        @inline(__always) func store(_ y: Int, _ value: Lanes) {
                            guard y < rows else { return }
                            var value = value + b
                            if relu { value.replace(with: 0, where: value .< 0) }
                            storeLanes(value, corner + (y * g.outputWidth + x) * k + group)
                        }
                        store(0, column.0)
                        store(1, column.1)
                        store(2, column.2)
                        store(3, column.3)
                    }
                    put(0, outputTransform((e0.0, e1.0, e2.0, e3.0, e4.0, e5.0)))
                    put(1, outputTransform((e0.1, e1.1, e2.1, e3.1, e4.1, e5.1)))
                    put(2, outputTransform((e0.2, e1.2, e2.2, e3.2, e4.2, e5.2)))
                    put(3, outputTransform((e0.3, e1.3, e2.3, e3.3, e4.3, e5.3)))
                }
            }
        }
    }

    /// dM = A dY Aᵀ of every tile of one image's output gradient, as tiles `firstTile...` of
    /// dM `(tiles, 36, Cout)`; pixels of tiles past the output count as zero.
    @inlinable @inline(__always)
    func transformOutputGradient<M: MultiplyAdd>(
        _ dOutput: UnsafePointer<Float>, into dm: UnsafeMutablePointer<Float>, firstTile: Int,
        _: M.Type
    ) {
        let k = outputChannels, step = k, g = geometry
        for ty in 0..<tileRows {
            for tx in 0..<tileColumns {
                let target = dm + (firstTile + ty * tileColumns + tx) * Self.positions * k
                let rows = min(4, g.outputHeight - 4 * ty), columns = min(4, g.outputWidth - 4 * tx)
                let corner = dOutput + (4 * ty * g.outputWidth + 4 * tx) * k
                for group in Swift.stride(from: 0, to: k, by: 8) {
                    @inline(__always) func row(_ y: Int) -> SixLanes {
                        @inline(__always) func value(_ x: Int) -> Lanes {
                            y < rows && x < columns ? loadLanes(corner + (y * g.outputWidth + x) * k + group) : Lanes()
                        }
                        return outputTransformAdjoint((value(0), value(1), value(2), value(3)))
                    }
                    let h0 = row(0), h1 = row(1), h2 = row(2), h3 = row(3)
                    @inline(__always) func put(_ j: Int, _ column: SixLanes) {
                        let p = target + group + j * step
                        storeSix(column, p, step: 6 * step)
                    }
                    put(0, outputTransformAdjoint((h0.0, h1.0, h2.0, h3.0)))
                    put(1, outputTransformAdjoint((h0.1, h1.1, h2.1, h3.1)))
                    put(2, outputTransformAdjoint((h0.2, h1.2, h2.2, h3.2)))
                    put(3, outputTransformAdjoint((h0.3, h1.3, h2.3, h3.3)))
                    put(4, outputTransformAdjoint((h0.4, h1.4, h2.4, h3.4)))
                    put(5, outputTransformAdjoint((h0.5, h1.5, h2.5, h3.5)))
                }
            }
        }
    }

    /// U = G g Gᵀ `(36, Cin, Cout)` and its transpose Uᵀ `(36, Cout, Cin)` from HWIO weights
    /// `(3, 3, Cin, Cout)`, into `transformedWeightCount` floats.
    public func transformWeights(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let c = channels, k = outputChannels, plane = c * k
        for ci in 0..<c {
            for group in Swift.stride(from: 0, to: k, by: 8) {
                @inline(__always) func g(_ ky: Int, _ kx: Int) -> Lanes {
                    loadLanes(weight + ((ky * 3 + kx) * c + ci) * k + group)
                }
                let r0 = filterTransform(g(0, 0), g(0, 1), g(0, 2))
                let r1 = filterTransform(g(1, 0), g(1, 1), g(1, 2))
                let r2 = filterTransform(g(2, 0), g(2, 1), g(2, 2))
                @inline(__always) func put(_ j: Int, _ column: SixLanes) {
                    let p = u + j * plane + ci * k + group
                    storeSix(column, p, step: 6 * plane)
                }
                put(0, filterTransform(r0.0, r1.0, r2.0))
                put(1, filterTransform(r0.1, r1.1, r2.1))
                put(2, filterTransform(r0.2, r1.2, r2.2))
                put(3, filterTransform(r0.3, r1.3, r2.3))
                put(4, filterTransform(r0.4, r1.4, r2.4))
                put(5, filterTransform(r0.5, r1.5, r2.5))
            }
        }
        let transposed = u + Self.positions * plane
        for xi in 0..<Self.positions {
            let source = u + xi * plane, target = transposed + xi * plane
            for ci in 0..<c {
                for co in 0..<k { target[co * c + ci] = source[ci * k + co] }
            }
        }
    }

    /// dW = Gᵀ dU G `(3, 3, Cin, Cout)` (overwritten) from dU `(36, Cin, Cout)`.
    @inlinable @inline(__always)
    func weightGradient<M: MultiplyAdd>(
        fromTransformed du: UnsafePointer<Float>, into dWeight: UnsafeMutablePointer<Float>, _: M.Type
    ) {
        let plane = channels * outputChannels
        for offset in Swift.stride(from: 0, to: plane, by: 8) {
            @inline(__always) func row(_ a: Int) -> (Lanes, Lanes, Lanes) {
                let p = du + 6 * a * plane + offset
                return filterTransformAdjoint(loadSix(p, step: plane))
            }
            let q0 = row(0), q1 = row(1), q2 = row(2), q3 = row(3), q4 = row(4), q5 = row(5)
            @inline(__always) func put(_ kx: Int, _ column: (Lanes, Lanes, Lanes)) {
                storeLanes(column.0, dWeight + kx * plane + offset)
                storeLanes(column.1, dWeight + (3 + kx) * plane + offset)
                storeLanes(column.2, dWeight + (6 + kx) * plane + offset)
            }
            put(0, filterTransformAdjoint((q0.0, q1.0, q2.0, q3.0, q4.0, q5.0)))
            put(1, filterTransformAdjoint((q0.1, q1.1, q2.1, q3.1, q4.1, q5.1)))
            put(2, filterTransformAdjoint((q0.2, q1.2, q2.2, q3.2, q4.2, q5.2)))
        }
    }
}
