// AdamStep: Adam's (and AdamW's) update of one parameter array, eight values at a time. With
// data-parallel training the optimiser runs on one core while the other waits, so a scalar
// loop (a square root and a division per value) cost twice its time. Each lane computes the
// scalar formula in the same order, and SIMD square roots and divisions round exactly as
// the scalar ones, so the weights are bit for bit those of the scalar loop.

/// One Adam update: `m`, `v` and `w` in place from the gradient `g`.
struct AdamStep {
    let beta1: Float, beta2: Float, epsilon: Float
    /// The learning rate with both bias corrections folded in.
    let correctedRate: Float
    /// Learning rate × weight decay (AdamW; 0 for Adam).
    let decay: Float

    func apply(
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
        w: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 8 <= count {
            let gi = load(g + i)
            let mi = beta1 * load(m + i) + (1 - beta1) * gi
            let vi = beta2 * load(v + i) + (1 - beta2) * gi * gi
            let wi = load(w + i)
            store(mi, m + i)
            store(vi, v + i)
            store(wi - (correctedRate * mi / (vi.squareRoot() + epsilon) + decay * wi), w + i)
            i += 8
        }
        while i < count {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            w[i] -= correctedRate * m[i] / (v[i].squareRoot() + epsilon) + decay * w[i]
            i += 1
        }
    }

    @inline(__always)
    private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load(UnsafePointer(pointer)) }

    @inline(__always)
    private func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
