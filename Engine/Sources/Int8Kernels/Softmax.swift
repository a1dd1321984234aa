// SOFTMAX, int8 in and int8 out at scale 1/256 and zero point −128, exactly as TFLite
// Micro's reference kernel computes it: input differences rescaled to Q5.26, exp() by
// gemmlowp's fixed-point polynomial and barrel shifter, the sum in Q12.19, its reciprocal by
// Newton–Raphson in Q2.29, and a rounding shift to 8 bits. No floating point at run time.

/// Parameters of SOFTMAX (TFLM's `CalculateSoftmaxParams` for int8).
public struct SoftmaxParameters: Sendable, Equatable {
    public var rows: Int
    public var depth: Int
    public var inputMultiplier: Int32
    public var inputLeftShift: Int
    public var diffMin: Int32

    static let scaledDiffIntegerBits = 5

    public init(rows: Int, depth: Int, beta: Float, inputScale: Float) {
        self.rows = rows
        self.depth = depth
        let bits = Self.scaledDiffIntegerBits
        let real = min(Double(beta) * Double(inputScale) * Double(1 << (31 - bits)), Double((Int64(1) << 31) - 1))
        let q = QuantizedMultiplier(real)
        precondition(q.shift >= 0, "softmax: beta · input scale too small")
        inputMultiplier = q.multiplier
        inputLeftShift = q.shift
        // CalculateInputRadius(5, shift, 31), floored, negated.
        let radius =
            (Double((1 << bits) - 1) * Double(Int64(1) << (31 - bits)) / Double(Int64(1) << Int64(inputLeftShift)))
            .rounded(.down)
        diffMin = -Int32(radius)
    }
}

/// Reference int8 softmax over the innermost axis.
public func softmaxReference(_ p: SoftmaxParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    for row in 0..<p.rows {
        let x = input + row * p.depth
        let y = output + row * p.depth
        var maxInRow: Int32 = -128
        for c in 0..<p.depth { maxInRow = max(maxInRow, Int32(x[c])) }
        var sumOfExps: Int32 = 0  // Q12.19
        for c in 0..<p.depth {
            let diff = Int32(x[c]) - maxInRow
            if diff >= p.diffMin {
                let scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, p.inputMultiplier, p.inputLeftShift)
                sumOfExps &+= roundingDivideByPOT(expOnNegativeValuesQ5(scaled), 12)
            }
        }
        let (reciprocal, bitsOverUnit) = reciprocalQ12(sumOfExps)
        let exponent = bitsOverUnit + 31 - 8
        for c in 0..<p.depth {
            let diff = Int32(x[c]) - maxInRow
            if diff >= p.diffMin {
                let scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, p.inputMultiplier, p.inputLeftShift)
                let e = expOnNegativeValuesQ5(scaled)
                let unsaturated = roundingDivideByPOT(saturatingRoundingDoublingHighMul(reciprocal, e), exponent)
                y[c] = Int8(truncatingIfNeeded: min(max(unsaturated &- 128, -128), 127))
            } else {
                y[c] = -128
            }
        }
    }
}
