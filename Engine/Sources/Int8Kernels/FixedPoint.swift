// Fixed-point helpers of TensorFlow Lite's integer kernels, re-derived in Swift.
//
// What it is: the exact integer arithmetic TFLite Micro uses to requantise an int32
// accumulator into int8 (its default, "double rounding" build): a real multiplier
// M = q · 2^shift with q a Q0.31 integer in [2^30, 2^31), applied as a saturating
// rounding doubling high multiply followed by a rounding right shift. Bit-exactness
// with TFLM depends on every detail here (ties, the nudge, truncating division).
// What it is not: a general fixed-point library; only what the int8 kernels need.

/// Rounds half away from zero, like C's `round` (TFLite's `TfLiteRound`).
@inlinable
public func roundHalfAwayFromZero(_ x: Double) -> Double { x.rounded(.toNearestOrAwayFromZero) }

/// A real multiplier as a Q0.31 significand and a power-of-two exponent.
public struct QuantizedMultiplier: Sendable, Equatable {
    /// Q0.31 significand in [2^30, 2^31), or 0.
    public var multiplier: Int32
    /// Power-of-two exponent: positive shifts left, negative shifts right.
    public var shift: Int

    public init(multiplier: Int32, shift: Int) {
        self.multiplier = multiplier
        self.shift = shift
    }

    /// TFLite's `QuantizeMultiplier`: `real = multiplier · 2^(shift − 31)`.
    ///
    /// `frexp` splits `real` into a significand in [0.5, 1) and an exponent; the significand
    /// is rounded to 31 fractional bits (half away from zero). Multipliers below 2^-31 flush to 0.
    public init(_ real: Double) {
        if real == 0 {
            self.init(multiplier: 0, shift: 0)
            return
        }
        // frexp: real = fraction · 2^exponent with |fraction| in [0.5, 1).
        var exponent = Int(real.exponent) + 1
        let fraction = real.significand / 2 * (real.sign == .minus ? -1 : 1)
        var fixed = Int64(roundHalfAwayFromZero(fraction * Double(Int64(1) << 31)))
        precondition(fixed <= Int64(1) << 31, "QuantizeMultiplier: significand out of range")
        if fixed == Int64(1) << 31 {
            fixed /= 2
            exponent += 1
        }
        if exponent < -31 {
            exponent = 0
            fixed = 0
        }
        self.init(multiplier: Int32(fixed), shift: exponent)
    }
}

/// gemmlowp's `SaturatingRoundingDoublingHighMul`: `round(a · b / 2^31)`, ties away from
/// zero via a nudge, saturating the single overflow case `INT32_MIN · INT32_MIN`.
@inlinable @inline(__always)
public func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == b && a == Int32.min { return Int32.max }
    let product = Int64(a) * Int64(b)
    let nudge: Int64 = product >= 0 ? (1 << 30) : (1 - (1 << 30))
    // C++ integer division truncates towards zero; so does Swift's.
    return Int32(truncatingIfNeeded: (product + nudge) / (Int64(1) << 31))
}

/// gemmlowp's `RoundingDivideByPOT`: arithmetic right shift rounding to nearest, ties away from zero.
@inlinable @inline(__always)
public func roundingDivideByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
    let mask: Int32 = Int32(truncatingIfNeeded: (Int64(1) << exponent) - 1)
    let remainder = x & mask
    let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
    return (x >> Int32(exponent)) &+ (remainder > threshold ? 1 : 0)
}

/// TFLite's `MultiplyByQuantizedMultiplier` (double rounding): `x · M` rounded to int32.
@inlinable @inline(__always)
public func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int) -> Int32 {
    let leftShift = shift > 0 ? shift : 0
    let rightShift = shift > 0 ? 0 : -shift
    return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x &* (1 << Int32(leftShift)), multiplier), rightShift)
}

/// TFLite's `MultiplyByQuantizedMultiplierGreaterThanOne` (used by softmax).
@inlinable @inline(__always)
public func multiplyByQuantizedMultiplierGreaterThanOne(_ x: Int32, _ multiplier: Int32, _ leftShift: Int) -> Int32 {
    saturatingRoundingDoublingHighMul(x &* (1 << Int32(leftShift)), multiplier)
}

/// TFLite's quantisation of one real value: `zeroPoint + round(value / scale)` in float.
@inlinable
public func quantizeValue(_ value: Float, scale: Float, zeroPoint: Int32) -> Int32 {
    zeroPoint + Int32(Double(value / scale).rounded(.toNearestOrAwayFromZero))
}

/// `multiplyByQuantizedMultiplier` for a non-negative multiplier, with the shifts split ahead
/// of time (the fast kernels' inner loop). Equal to it for every `x` when `multiplier >= 0`
/// (then the saturating case `INT32_MIN · INT32_MIN` cannot occur); tested exhaustively on
/// random inputs against the reference form.
@inlinable @inline(__always)
public func requantizeNonNegative(_ x: Int32, _ multiplier: Int32, leftShift: Int32, rightShift: Int32) -> Int32 {
    let product = Int64(x &<< leftShift) &* Int64(multiplier)
    let nudged = product &+ (product >= 0 ? (1 << 30) : (1 - (1 << 30)))
    // Division by 2^31 truncating towards zero, as an arithmetic shift with a bias for negatives.
    let high = Int32(truncatingIfNeeded: (nudged &+ (nudged < 0 ? (1 << 31) - 1 : 0)) >> 31)
    let mask = (Int32(1) << rightShift) &- 1
    let threshold = (mask >> 1) &+ (high < 0 ? 1 : 0)
    return (high >> rightShift) &+ ((high & mask) > threshold ? 1 : 0)
}
