// SmallMatrixMultiply: the matrix products of a Winograd convolution (WinogradConvolution),
// where one side is a few dozen values deep or wide (16 channels, 32 filters) and sgemm's
// packing would cost as much as the multiplications. The right-hand matrix is read in place
// (rows of `n` contiguous values, n a multiple of 8); the left-hand one through two strides,
// so that the same kernel reads it as stored or transposed. Register blocks of 6 rows × 16
// columns: twelve running sums, two vectors of the right side and the broadcast left-side
// values fit AVX2's sixteen registers. Generic over `MultiplyAdd` like the other kernels.

/// `c (m×n) = [c +] a·b` for small matrices.
@usableFromInline
enum SmallMatrixMultiply {
    /// - a: element (i, p) at `a[i·rowStride + p·depthStride]`, `(m, k)`.
    /// - b: `(k, n)` row-major; c: `(m, n)` row-major; `n` a multiple of 8.
    /// - accumulate: add to `c` instead of overwriting it.
    @inlinable @inline(__always)
    static func multiply<M: MultiplyAdd>(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, accumulate: Bool, _: M.Type
    ) {
        let operands = Operands(k: k, rowStride: rowStride, depthStride: depthStride, n: n, accumulate: accumulate)
        var column = 0
        while column + 16 <= n {
            var row = 0
            while row < m {
                let rows = min(6, m - row)
                operands.block6x16(a + row * rowStride, rows: rows, b + column, c + row * n + column, M.self)
                row += rows
            }
            column += 16
        }
        if column + 8 <= n {
            for row in 0..<m { operands.block1x8(a + row * rowStride, b + column, c + row * n + column, M.self) }
        }
    }

    /// The sizes every block of one product shares.
    @usableFromInline
    struct Operands {
        @usableFromInline let k: Int, rowStride: Int, depthStride: Int, n: Int, accumulate: Bool

        @inlinable
        init(k: Int, rowStride: Int, depthStride: Int, n: Int, accumulate: Bool) {
            self.k = k
            self.rowStride = rowStride
            self.depthStride = depthStride
            self.n = n
            self.accumulate = accumulate
        }

        @inlinable @inline(__always)
        func start(_ c: UnsafeMutablePointer<Float>, _ offset: Int) -> SIMD8<Float> {
            accumulate ? loadLanes(c + offset) : SIMD8()
        }

        /// `rows` (1 to 6) rows of `a` times 16 columns of `b`. Fewer than six rows repeat the
        /// last one's multiply-adds and store only their own sums: the twelve independent
        /// sums keep the multiply-add units busy either way.
        @inlinable @inline(__always)
        func block6x16<M: MultiplyAdd>(
            _ a: UnsafePointer<Float>, rows: Int, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
            _: M.Type
        ) {
            let last = rows - 1
            let o1 = min(1, last) * rowStride, o2 = min(2, last) * rowStride, o3 = min(3, last) * rowStride
            let o4 = min(4, last) * rowStride, o5 = min(5, last) * rowStride
            @inline(__always) func first(_ row: Int, _ half: Int) -> SIMD8<Float> {
                row < rows ? start(c, row * n + half) : SIMD8()
            }
            var s00 = first(0, 0), s01 = first(0, 8), s10 = first(1, 0), s11 = first(1, 8)
            var s20 = first(2, 0), s21 = first(2, 8), s30 = first(3, 0), s31 = first(3, 8)
            var s40 = first(4, 0), s41 = first(4, 8), s50 = first(5, 0), s51 = first(5, 8)
            var pa = a, pb = b
            for _ in 0..<k {
                let b0 = loadLanes(pb), b1 = loadLanes(pb + 8)
                let x0 = SIMD8(repeating: pa[0]), x1 = SIMD8(repeating: pa[o1])
                s00 = M.add(s00, x0, b0)
                s01 = M.add(s01, x0, b1)
                s10 = M.add(s10, x1, b0)
                s11 = M.add(s11, x1, b1)
                let x2 = SIMD8(repeating: pa[o2]), x3 = SIMD8(repeating: pa[o3])
                s20 = M.add(s20, x2, b0)
                s21 = M.add(s21, x2, b1)
                s30 = M.add(s30, x3, b0)
                s31 = M.add(s31, x3, b1)
                let x4 = SIMD8(repeating: pa[o4]), x5 = SIMD8(repeating: pa[o5])
                s40 = M.add(s40, x4, b0)
                s41 = M.add(s41, x4, b1)
                s50 = M.add(s50, x5, b0)
                s51 = M.add(s51, x5, b1)
                pa += depthStride
                pb += n
            }
            @inline(__always) func put(_ row: Int, _ low: SIMD8<Float>, _ high: SIMD8<Float>) {
                guard row < rows else { return }
                storeLanes(low, c + row * n)
                storeLanes(high, c + row * n + 8)
            }
            put(0, s00, s01)
            put(1, s10, s11)
            put(2, s20, s21)
            put(3, s30, s31)
            put(4, s40, s41)
            put(5, s50, s51)
        }

        /// One row of `a` times 8 columns of `b`.
        @inlinable @inline(__always)
        func block1x8<M: MultiplyAdd>(
            _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _: M.Type
        ) {
            var s = start(c, 0)
            var pa = a, pb = b
            for _ in 0..<k {
                s = M.add(s, SIMD8(repeating: pa[0]), loadLanes(pb))
                pa += depthStride
                pb += n
            }
            storeLanes(s, c)
        }
    }
}

/// Eight floats from `p` (any alignment).
@inlinable @inline(__always)
func loadLanes(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
func loadLanes(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { loadLanes(UnsafePointer(p)) }

/// Stores eight floats at `p` (any alignment).
@inlinable @inline(__always)
func storeLanes(_ x: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD8<Float>.self)
}
