// How a kernel computes `sum + a·b` eight lanes at a time. The portable build multiplies and
// adds (two roundings; a fused multiply-add would be a libm call per lane on SSE2); the AVX2
// build fuses them into one `vfmadd` (one rounding). Kernels are generic over it so that one
// source serves both builds.

/// `sum + a·b` for eight lanes.
public protocol MultiplyAdd {
    static func add(_ sum: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    /// Running sums (3, 6 or 9) a weight-gradient pass keeps in registers next to its operands.
    static var gradientSumsPerPass: Int { get }
}

/// A multiply, then an add (the baseline CPU's way).
public enum SeparateMultiplyAdd: MultiplyAdd {
    /// SSE: a sum of eight lanes takes two of the sixteen registers.
    @inlinable public static var gradientSumsPerPass: Int { 3 }

    @inlinable @inline(__always)
    public static func add(_ sum: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { sum + a * b }
}

/// One fused multiply-add (FMA3); only for code compiled for CPUs that have it.
public enum FusedMultiplyAdd: MultiplyAdd {
    /// AVX2: a sum of eight lanes is one of the sixteen registers.
    @inlinable public static var gradientSumsPerPass: Int { 9 }

    @inlinable @inline(__always)
    public static func add(_ sum: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        sum.addingProduct(a, b)
    }
}
