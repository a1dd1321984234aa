// Output size, padding and activation range of a convolution, from the graph's padding mode and
// fused activation (TFLite's `ComputePaddingHeightWidth` and `CalculateActivationRangeQuantized`).

/// TensorFlow's output size and padding for one spatial axis (TFLite `ComputePaddingHeightWidth`).
public func convOutputSize(padding: PaddingMode, input: Int, filter: Int, stride: Int, dilation: Int) -> Int {
    let effective = (filter - 1) * dilation + 1
    switch padding {
    case .same: return (input + stride - 1) / stride
    case .valid: return (input + stride - effective) / stride
    }
}

/// Leading (top or left) padding for SAME/VALID: half the total padding, rounded down.
public func convPadding(input: Int, filter: Int, stride: Int, dilation: Int, output: Int) -> Int {
    let effective = (filter - 1) * dilation + 1
    let total = max(0, (output - 1) * stride + effective - input)
    return total / 2
}

/// TFLite's `CalculateActivationRangeQuantized` for int8.
public func activationRange(_ activation: FusedActivation, scale: Float, zeroPoint: Int32) -> (min: Int32, max: Int32) {
    let qmin: Int32 = -128, qmax: Int32 = 127
    switch activation {
    case .none: return (qmin, qmax)
    case .relu: return (max(qmin, quantizeValue(0, scale: scale, zeroPoint: zeroPoint)), qmax)
    case .relu6:
        return (
            max(qmin, quantizeValue(0, scale: scale, zeroPoint: zeroPoint)),
            min(qmax, quantizeValue(6, scale: scale, zeroPoint: zeroPoint))
        )
    }
}
