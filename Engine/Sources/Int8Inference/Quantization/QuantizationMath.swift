// The TFLite quantisation spec's parameter choices, as TensorFlow's converter makes them:
// activations asymmetric per tensor over [min(0, lo), max(0, hi)] with a nudged zero point;
// weights symmetric per output channel in [−127, 127]; biases int32 at scale
// inputScale · weightScale with zero point 0.

/// Asymmetric int8 parameters covering `[lo, hi]` (always including 0).
public func activationQuantization(min lo: Float, max hi: Float) -> Quantization {
    let low = Swift.min(lo, 0), high = Swift.max(hi, 0)
    guard high > low else { return Quantization(scale: 1, zeroPoint: -128) }
    let scale = (high - low) / 255
    let zeroPointFromMin = -128 - low / scale
    let zeroPoint: Int32
    if zeroPointFromMin < -128 {
        zeroPoint = -128
    } else if zeroPointFromMin > 127 {
        zeroPoint = 127
    } else {
        zeroPoint = Int32(zeroPointFromMin.rounded(.toNearestOrAwayFromZero))
    }
    return Quantization(scale: scale, zeroPoint: zeroPoint)
}

/// Symmetric per-channel int8 weights; `channels` slices of `values` laid out channel-major
/// (`channelMajor: true`, OHWI / (O, I)) or channel-minor (the last axis, as depthwise 1HWC).
public func quantizeWeightsPerChannel(
    _ values: [Float], channels: Int, channelMajor: Bool
) -> (values: [Int8], scales: [Float]) {
    let perChannel = values.count / channels
    func index(_ c: Int, _ i: Int) -> Int { channelMajor ? c * perChannel + i : i * channels + c }
    let scales: [Float] = (0..<channels).map { c in
        var maxAbs: Float = 0
        for i in 0..<perChannel { maxAbs = Swift.max(maxAbs, abs(values[index(c, i)])) }
        return maxAbs > 0 ? maxAbs / 127 : 1
    }
    var quantized = [Int8](repeating: 0, count: values.count)
    for c in 0..<channels {
        for i in 0..<perChannel {
            let q = (values[index(c, i)] / scales[c]).rounded(.toNearestOrAwayFromZero)
            quantized[index(c, i)] = Int8(Swift.max(-127, Swift.min(127, q)))
        }
    }
    return (quantized, scales)
}

/// int32 biases at scale `inputScale · weightScales[c]`.
public func quantizeBias(
    _ bias: [Float], inputScale: Float, weightScales: [Float]
) -> (values: [Int32], scales: [Float]) {
    let scales = weightScales.map { inputScale * $0 }
    let values = zip(bias, scales).map { b, s -> Int32 in
        let q = (Double(b) / Double(s)).rounded(.toNearestOrAwayFromZero)
        return Int32(Swift.max(Double(Int32.min), Swift.min(Double(Int32.max), q)))
    }
    return (values, scales)
}
