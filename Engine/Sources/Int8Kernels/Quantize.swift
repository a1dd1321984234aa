// QUANTIZE and DEQUANTIZE (TFLite Micro's `AffineQuantize`, `Requantize` and `Dequantize`).
//
// float → int8: round(x / scale) + zeroPoint, clamped; int8 → int8: requantised with a fixed-point
// multiplier `inputScale / outputScale`; int8 → float: scale · (q − zeroPoint) in double.

/// float32 → int8.
public func quantizeReference(
    _ input: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: Int32, output: UnsafeMutablePointer<Int8>
) {
    for i in 0..<count {
        let value = Int32(Double(input[i] / scale).rounded(.toNearestOrAwayFromZero)) &+ zeroPoint
        output[i] = Int8(truncatingIfNeeded: min(max(value, -128), 127))
    }
}

/// int8 → int8 with different quantisation.
public func requantizeReference(
    _ input: UnsafePointer<Int8>, count: Int, inputZeroPoint: Int32, multiplier: QuantizedMultiplier,
    outputZeroPoint: Int32, output: UnsafeMutablePointer<Int8>
) {
    for i in 0..<count {
        let value =
            multiplyByQuantizedMultiplier(Int32(input[i]) &- inputZeroPoint, multiplier.multiplier, multiplier.shift)
            &+ outputZeroPoint
        output[i] = Int8(truncatingIfNeeded: min(max(value, -128), 127))
    }
}

/// int8 → float32.
public func dequantizeReference(
    _ input: UnsafePointer<Int8>, count: Int, scale: Float, zeroPoint: Int32, output: UnsafeMutablePointer<Float>
) {
    for i in 0..<count { output[i] = Float(Double(scale) * Double(Int32(input[i]) - zeroPoint)) }
}
