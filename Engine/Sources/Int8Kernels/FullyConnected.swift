// FULLY_CONNECTED, int8 (TFLite Micro's `reference_integer_ops::FullyConnected`, per-tensor
// or per-channel weights).
//
// acc = Σ (w + weightOffset)·(x + inputOffset) + bias, requantised per output unit.
// The fast form expands the product with precomputed sums; it is exact in int32.
// Input `(N, I)` (any shape with I innermost), weights `(O, I)`, bias `(O)`, output `(N, O)`.

/// Parameters of FULLY_CONNECTED, computed at prepare time.
public struct FullyConnectedParameters: Sendable, Equatable {
    public var batches: Int
    public var inputDepth: Int
    public var outputDepth: Int
    public var inputOffset: Int32
    /// −(weight zero point); 0 for the symmetric weights TFLite produces.
    public var weightOffset: Int32
    public var outputOffset: Int32
    public var activationMin: Int32, activationMax: Int32
    /// One entry (per-tensor) or one per output unit.
    public var multipliers: [Int32]
    public var shifts: [Int]

    public init(
        batches: Int, inputDepth: Int, outputDepth: Int, inputOffset: Int32, weightOffset: Int32, outputOffset: Int32,
        activationMin: Int32, activationMax: Int32, multipliers: [Int32], shifts: [Int]
    ) {
        (self.batches, self.inputDepth, self.outputDepth) = (batches, inputDepth, outputDepth)
        (self.inputOffset, self.weightOffset, self.outputOffset) = (inputOffset, weightOffset, outputOffset)
        (self.activationMin, self.activationMax, self.multipliers, self.shifts) = (
            activationMin, activationMax, multipliers, shifts
        )
    }
}

/// Reference int8 fully connected layer.
public func fullyConnectedReference(
    _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
    bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>
) {
    let perChannel = p.multipliers.count > 1
    for b in 0..<p.batches {
        for o in 0..<p.outputDepth {
            var acc: Int32 = 0
            for d in 0..<p.inputDepth {
                let x = Int32(input[b * p.inputDepth + d])
                let w = Int32(weights[o * p.inputDepth + d])
                acc &+= (w &+ p.weightOffset) &* (x &+ p.inputOffset)
            }
            if let bias { acc &+= bias[o] }
            let c = perChannel ? o : 0
            acc = multiplyByQuantizedMultiplier(acc, p.multipliers[c], p.shifts[c])
            acc &+= p.outputOffset
            acc = min(max(acc, p.activationMin), p.activationMax)
            output[b * p.outputDepth + o] = Int8(truncatingIfNeeded: acc)
        }
    }
}

/// Fast int8 fully connected layer; `weightSum` holds Σ w per output unit. Inlined into each
/// caller so that `Int8KernelsAVX2` compiles it for AVX2.
@inlinable @inline(__always)
public func fullyConnectedFast(
    _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
    weightSum: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>
) {
    let perChannel = p.multipliers.count > 1
    let depth = Int32(truncatingIfNeeded: p.inputDepth)
    for b in 0..<p.batches {
        let x = input + b * p.inputDepth
        var inputSum: Int32 = 0
        for d in 0..<p.inputDepth { inputSum &+= Int32(x[d]) }
        for o in 0..<p.outputDepth {
            // Σ (w + wo)(x + xo) = Σ wx + xo Σ w + wo Σ x + n·wo·xo
            var acc = dotProduct(x, weights + o * p.inputDepth, p.inputDepth)
            acc &+=
                p.inputOffset &* weightSum[o] &+ p.weightOffset &* inputSum &+ depth &* p.weightOffset &* p.inputOffset
            if let bias { acc &+= bias[o] }
            let c = perChannel ? o : 0
            let shift = Int32(truncatingIfNeeded: p.shifts[c])
            acc = requantizeNonNegative(acc, p.multipliers[c], leftShift: max(shift, 0), rightShift: max(-shift, 0))
            acc &+= p.outputOffset
            output[b * p.outputDepth + o] = Int8(truncatingIfNeeded: min(max(acc, p.activationMin), p.activationMax))
        }
    }
}
