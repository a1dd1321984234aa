// Branch-free element-wise kernels on raw buffers (8 lanes at a time) used inside layers:
// in-place ReLU, the ReLU gradient mask, and filling rows with a bias vector. Branchy
// scalar versions of these cost more than the sgemm they surround (mispredicted signs).

/// `x = max(x, 0)` for `count` values.
@inlinable @inline(__always)
public func reluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let raw = UnsafeMutableRawPointer(x)
    var i = 0
    while i + 8 <= count {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        raw.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { x[i] = max(x[i], 0); i += 1 }
}

/// `target = gradient` where `reference > 0`, else 0, for `count` values.
@inlinable @inline(__always)
public func maskPositive(
    gradient: UnsafePointer<Float>, reference: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
    count: Int
) {
    let g = UnsafeRawPointer(gradient), r = UnsafeRawPointer(reference), t = UnsafeMutableRawPointer(target)
    var i = 0
    while i + 8 <= count {
        let gv = g.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        let rv = r.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        t.storeBytes(
            of: SIMD8(repeating: 0).replacing(with: gv, where: rv .> 0), toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { target[i] = reference[i] > 0 ? gradient[i] : 0; i += 1 }
}

/// Writes the `width` values at `vector` into each of `rows` rows of a `(rows, width)` matrix.
@inlinable @inline(__always)
public func fillRows(_ vector: UnsafePointer<Float>, width: Int, into matrix: UnsafeMutablePointer<Float>, rows: Int) {
    for row in 0..<rows { (matrix + row * width).update(from: vector, count: width) }
}
