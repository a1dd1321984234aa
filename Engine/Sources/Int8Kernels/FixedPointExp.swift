// gemmlowp's fixed-point exp(x) for x ≤ 0 and 1/(1 + x) for x in [0, 1), specialised to the
// formats int8 softmax uses (input Q5.26, results Q0.31). Raw int32 arithmetic: additions
// wrap like the C++ original, multiplies are saturating rounding doubling high multiplies.

/// Saturating left shift by `exponent` (gemmlowp `SaturatingRoundingMultiplyByPOT`, positive case).
@inline(__always)
func saturatingShiftLeft(_ x: Int32, _ exponent: Int) -> Int32 {
    let threshold: Int32 = (1 << Int32(31 - exponent)) - 1
    if x > threshold { return Int32.max }
    if x < -threshold { return Int32.min }
    return x << Int32(exponent)
}

/// exp(a) for a in [−1/4, 0), both Q0.31.
@inline(__always)
func expOnIntervalNegativeQuarterToZero(_ a: Int32) -> Int32 {
    let constantTerm: Int32 = 1895147668  // exp(−1/8)
    let oneThird: Int32 = 715827883
    let x = a &+ (1 << 28)  // a + 1/8
    let x2 = saturatingRoundingDoublingHighMul(x, x)
    let x3 = saturatingRoundingDoublingHighMul(x2, x)
    let x4 = saturatingRoundingDoublingHighMul(x2, x2)
    let x4Over4 = roundingDivideByPOT(x4, 2)
    let poly = roundingDivideByPOT(saturatingRoundingDoublingHighMul(x4Over4 &+ x3, oneThird) &+ x2, 1)
    return constantTerm &+ saturatingRoundingDoublingHighMul(constantTerm, x &+ poly)
}

/// Q0.31 values of exp(−2^k) for k = −2…4 (gemmlowp's constants).
private let expBarrelMultipliers: [(Int, Int32)] = [
    (-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
    (2, 39332535), (3, 720401), (4, 242),
]

/// exp(a) for a ≤ 0; `a` in Q5.26, result in Q0.31.
@inline(__always)
func expOnNegativeValuesQ5(_ a: Int32) -> Int32 {
    let fractionalBits = 26
    let oneQuarter: Int32 = 1 << Int32(fractionalBits - 2)
    let mask = oneQuarter - 1
    let aModQuarterMinusQuarter = (a & mask) &- oneQuarter
    var result = expOnIntervalNegativeQuarterToZero(saturatingShiftLeft(aModQuarterMinusQuarter, 5))
    let remainder = aModQuarterMinusQuarter &- a
    // Barrel shifter: multiply by exp(−2^k) for each set bit of the remainder.
    for (exponent, multiplier) in expBarrelMultipliers where remainder & (1 << Int32(fractionalBits + exponent)) != 0 {
        result = saturatingRoundingDoublingHighMul(result, multiplier)
    }
    return a == 0 ? Int32.max : result
}

/// 1 / (1 + a) for a in [0, 1), both Q0.31 (Newton–Raphson, three steps, in Q2.29).
@inline(__always)
func oneOverOnePlusX(_ a: Int32) -> Int32 {
    // RoundingHalfSum(a, One) with One = INT32_MAX.
    let sum = Int64(a) + Int64(Int32.max)
    let halfDenominator = Int32(truncatingIfNeeded: (sum + (sum >= 0 ? 1 : -1)) / 2)
    let c48Over17: Int32 = 1515870810
    let cNeg32Over17: Int32 = -1010580540
    var x = c48Over17 &+ saturatingRoundingDoublingHighMul(halfDenominator, cNeg32Over17)
    let oneQ2: Int32 = 1 << 29
    for _ in 0..<3 {
        let halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x)
        let oneMinus = oneQ2 &- halfDenominatorTimesX
        x = x &+ saturatingShiftLeft(saturatingRoundingDoublingHighMul(x, oneMinus), 2)
    }
    return saturatingShiftLeft(x, 1)
}

/// TFLite's `GetReciprocal` for a Q12.19 sum: a Q0.31 scale and the bits above one.
@inline(__always)
func reciprocalQ12(_ x: Int32) -> (scale: Int32, bitsOverUnit: Int) {
    let headroomPlusOne = UInt32(bitPattern: x).leadingZeroBitCount
    let bitsOverUnit = 12 - headroomPlusOne
    let shiftedSumMinusOne = Int32(bitPattern: (UInt32(bitPattern: x) << UInt32(headroomPlusOne)) &- (1 << 31))
    return (oneOverOnePlusX(shiftedSumMinusOne), bitsOverUnit)
}
