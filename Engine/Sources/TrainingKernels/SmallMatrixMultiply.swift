// SmallMatrixMultiply: the matrix products of a Winograd convolution (WinogradConvolution) and
// the weight gradient of a convolution with a tiny patch (DirectConvolution), where one side
// is a few dozen values deep or wide (9 taps, 16 channels, 32 filters) and sgemm's packing
// would cost as much as the multiplications. The right-hand matrix is read in place (rows of
// `n` contiguous values, n a multiple of 8); the left-hand one through a depth stride and a
// row stride or a table of row offsets, so that the same kernel reads it as stored,
// transposed, or as the taps of a convolution window. Register blocks of 6 rows × 16
// columns: twelve running sums, two vectors of the right side and the broadcast left-side
// values fit AVX2's sixteen registers (the portable build, on SSE's 4-lane registers, takes
// blocks of 2 rows). Generic over `MultiplyAdd` like the other kernels.

/// Where each row of the left-hand matrix starts, relative to its first.
public protocol RowOffsets {
    func offset(_ row: Int) -> Int
}

/// Rows `stride` values apart.
public struct StridedRows: RowOffsets {
    public let stride: Int
    @inlinable public init(_ stride: Int) { self.stride = stride }
    @inlinable @inline(__always) public func offset(_ row: Int) -> Int { row * stride }
}

/// Rows at the offsets of a table (e.g. a convolution's taps within its window).
public struct TabledRows: RowOffsets {
    public let table: UnsafePointer<Int>
    @inlinable public init(_ table: UnsafePointer<Int>) { self.table = table }
    @inlinable @inline(__always) public func offset(_ row: Int) -> Int { table[row] }
}

/// `c (m×n) = [c +] a·b` for small matrices.
public enum SmallMatrixMultiply {
    /// - a: element (i, p) at `a[i·rowStride + p·depthStride]`, `(m, k)`.
    /// - b: `(k, n)`, row p at `b + p·ldb` (default `n`); c: `(m, n)`, row i at `c + i·ldc`
    ///   (default `n`); `n` a multiple of 8.
    /// - accumulate: add to `c` instead of overwriting it.
    @inlinable @inline(__always)
    public static func multiply<M: MultiplyAdd>(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, b: UnsafePointer<Float>,
        ldb: Int? = nil, c: UnsafeMutablePointer<Float>, ldc: Int? = nil, accumulate: Bool, _: M.Type
    ) {
        multiply(
            m: m, n: n, k: k, a: a, rows: StridedRows(rowStride), depthStride: depthStride, b: b, ldb: ldb, c: c,
            ldc: ldc, accumulate: accumulate, M.self)
    }

    /// As above, with element (i, p) at `a[rows.offset(i) + p·depthStride]`.
    @inlinable @inline(__always)
    public static func multiply<M: MultiplyAdd, R: RowOffsets>(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rows: R, depthStride: Int, b: UnsafePointer<Float>,
        ldb: Int? = nil, c: UnsafeMutablePointer<Float>, ldc: Int? = nil, accumulate: Bool, _: M.Type
    ) {
        let ldc = ldc ?? n
        let operands = Operands(k: k, depthStride: depthStride, ldb: ldb ?? n, ldc: ldc, accumulate: accumulate)
        // Calls `body(row, block)` for consecutive blocks of up to `height` rows.
        @inline(__always) func forEachBlock(height: Int, _ body: (Int, BlockRows) -> Void) {
            var row = 0
            while row < m {
                let count = min(height, m - row)
                // Offsets of the block's rows from its first; missing rows repeat the last one.
                let first = rows.offset(row)
                @inline(__always) func relative(_ i: Int) -> Int { rows.offset(row + min(i, count - 1)) - first }
                body(row, BlockRows(relative(1), relative(2), relative(3), relative(4), relative(5), count: count))
                row += count
            }
        }
        // 16 columns: six rows at a time on AVX2; SSE's sixteen 4-lane registers hold two.
        let wide = M.gradientSumsPerPass >= 9
        var column = 0
        while column + 16 <= n {
            forEachBlock(height: wide ? 6 : 2) { row, block in
                let (a, b, c) = (a + rows.offset(row), b + column, c + row * ldc + column)
                if wide {
                    operands.block6x16(a, block, b, c, M.self)
                } else {
                    operands.block2x16(a, block, b, c, M.self)
                }
            }
            column += 16
        }
        guard column + 8 <= n else { return }
        forEachBlock(height: 6) { row, block in
            operands.block6x8(a + rows.offset(row), block, b + column, c + row * ldc + column, M.self)
        }
    }

    /// The rows of one block: offsets of rows 1 to 5 from row 0, and how many of the six are real.
    @usableFromInline
    struct BlockRows {
        @usableFromInline let o1: Int, o2: Int, o3: Int, o4: Int, o5: Int, count: Int
        @inlinable
        init(_ o1: Int, _ o2: Int, _ o3: Int, _ o4: Int, _ o5: Int, count: Int) {
            (self.o1, self.o2, self.o3, self.o4, self.o5, self.count) = (o1, o2, o3, o4, o5, count)
        }
    }

    /// The sizes every block of one product shares.
    @usableFromInline
    struct Operands {
        /// Depth; steps between values of a row of `a`, rows of `b` and rows of `c`.
        @usableFromInline let k: Int, depthStride: Int, ldb: Int, ldc: Int, accumulate: Bool

        @inlinable
        init(k: Int, depthStride: Int, ldb: Int, ldc: Int, accumulate: Bool) {
            self.k = k
            self.depthStride = depthStride
            self.ldb = ldb
            self.ldc = ldc
            self.accumulate = accumulate
        }

        @inlinable @inline(__always)
        func start(_ c: UnsafeMutablePointer<Float>, _ offset: Int) -> SIMD8<Float> {
            accumulate ? loadLanes(c + offset) : SIMD8()
        }

        /// Up to six rows of `a` (row 0 at `a`, the others at `rows`' offsets) times 16 columns
        /// of `b`. Fewer than six rows repeat the last one's multiply-adds and store only their
        /// own sums: the twelve independent sums keep the multiply-add units busy either way.
        @inlinable @inline(__always)
        func block6x16<M: MultiplyAdd>(
            _ a: UnsafePointer<Float>, _ rows: BlockRows, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
            _: M.Type
        ) {
            let (o1, o2, o3, o4, o5) = (rows.o1, rows.o2, rows.o3, rows.o4, rows.o5)
            @inline(__always) func first(_ row: Int, _ half: Int) -> SIMD8<Float> {
                row < rows.count ? start(c, row * ldc + half) : SIMD8()
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
                pb += ldb
            }
            @inline(__always) func put(_ row: Int, _ low: SIMD8<Float>, _ high: SIMD8<Float>) {
                guard row < rows.count else { return }
                storeLanes(low, c + row * ldc)
                storeLanes(high, c + row * ldc + 8)
            }
            put(0, s00, s01)
            put(1, s10, s11)
            put(2, s20, s21)
            put(3, s30, s31)
            put(4, s40, s41)
            put(5, s50, s51)
        }

        /// One or two rows of `a` (as `block6x16`) times 16 columns of `b`: the portable build's block.
        @inlinable @inline(__always)
        func block2x16<M: MultiplyAdd>(
            _ a: UnsafePointer<Float>, _ rows: BlockRows, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
            _: M.Type
        ) {
            let o1 = rows.o1
            var s00 = start(c, 0), s01 = start(c, 8)
            var s10 = rows.count > 1 ? start(c, ldc) : SIMD8(), s11 = rows.count > 1 ? start(c, ldc + 8) : SIMD8()
            var pa = a, pb = b
            for _ in 0..<k {
                let b0 = loadLanes(pb), b1 = loadLanes(pb + 8)
                let x0 = SIMD8(repeating: pa[0]), x1 = SIMD8(repeating: pa[o1])
                s00 = M.add(s00, x0, b0)
                s01 = M.add(s01, x0, b1)
                s10 = M.add(s10, x1, b0)
                s11 = M.add(s11, x1, b1)
                pa += depthStride
                pb += ldb
            }
            storeLanes(s00, c)
            storeLanes(s01, c + 8)
            guard rows.count > 1 else { return }
            storeLanes(s10, c + ldc)
            storeLanes(s11, c + ldc + 8)
        }

        /// Up to six rows of `a` times the last 8 columns of `b` (as `block6x16`).
        @inlinable @inline(__always)
        func block6x8<M: MultiplyAdd>(
            _ a: UnsafePointer<Float>, _ rows: BlockRows, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
            _: M.Type
        ) {
            let (o1, o2, o3, o4, o5) = (rows.o1, rows.o2, rows.o3, rows.o4, rows.o5)
            @inline(__always) func first(_ row: Int) -> SIMD8<Float> {
                row < rows.count ? start(c, row * ldc) : SIMD8()
            }
            var s0 = first(0), s1 = first(1), s2 = first(2), s3 = first(3), s4 = first(4), s5 = first(5)
            var pa = a, pb = b
            for _ in 0..<k {
                let v = loadLanes(pb)
                s0 = M.add(s0, SIMD8(repeating: pa[0]), v)
                s1 = M.add(s1, SIMD8(repeating: pa[o1]), v)
                s2 = M.add(s2, SIMD8(repeating: pa[o2]), v)
                s3 = M.add(s3, SIMD8(repeating: pa[o3]), v)
                s4 = M.add(s4, SIMD8(repeating: pa[o4]), v)
                s5 = M.add(s5, SIMD8(repeating: pa[o5]), v)
                pa += depthStride
                pb += ldb
            }
            @inline(__always) func put(_ row: Int, _ value: SIMD8<Float>) {
                if row < rows.count { storeLanes(value, c + row * ldc) }
            }
            put(0, s0)
            put(1, s1)
            put(2, s2)
            put(3, s3)
            put(4, s4)
            put(5, s5)
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
