// Widening of SIMD lanes, written lane by lane, for the convolution kernels' inner loops.
//
// The standard library's generic `SIMD*(truncatingIfNeeded:)` sometimes stays an out-of-line
// call inside a large kernel (seen in the portable build of the depthwise kernel), and with
// it LLVM loses the multiply-add pattern of the convolution; these concrete forms always
// inline and become pmovsx/punpck and (v)pmaddwd. (The requantiser keeps the generic ones:
// see ChannelRequantizer.swift.)

@inlinable @inline(__always)
func widened(_ v: SIMD8<Int8>) -> SIMD8<Int16> {
    SIMD8(Int16(v[0]), Int16(v[1]), Int16(v[2]), Int16(v[3]), Int16(v[4]), Int16(v[5]), Int16(v[6]), Int16(v[7]))
}

@inlinable @inline(__always)
func widened(_ v: SIMD8<Int16>) -> SIMD8<Int32> {
    SIMD8(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]))
}

@inlinable @inline(__always)
func widened(_ v: SIMD16<Int16>) -> SIMD16<Int32> {
    var result = SIMD16<Int32>()
    result.lowHalf = widened(v.lowHalf)
    result.highHalf = widened(v.highHalf)
    return result
}
