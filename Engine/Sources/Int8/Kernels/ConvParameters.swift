// Parameters of the int8 convolution kernels, computed once when a model is prepared.
//
// What it is: plain geometry plus per-output-channel requantisation multipliers, in the
// form TFLite Micro's reference kernels take them (offsets are negated zero points).
// What it is not: validation; `Int8Runtime` checks shapes before building these.

/// Geometry and requantisation for CONV_2D and DEPTHWISE_CONV_2D.
public struct ConvParameters: Sendable, Equatable {
    public var batches: Int
    public var inputHeight: Int, inputWidth: Int, inputChannels: Int
    public var outputHeight: Int, outputWidth: Int, outputChannels: Int
    public var filterHeight: Int, filterWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var padTop: Int, padLeft: Int
    /// Depthwise only: output channels per input channel.
    public var depthMultiplier: Int
    /// −(input zero point).
    public var inputOffset: Int32
    /// Output zero point.
    public var outputOffset: Int32
    public var activationMin: Int32, activationMax: Int32
    /// Per output channel.
    public var multipliers: [Int32]
    public var shifts: [Int]
}

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
        return (max(qmin, quantizeValue(0, scale: scale, zeroPoint: zeroPoint)),
                min(qmax, quantizeValue(6, scale: scale, zeroPoint: zeroPoint)))
    }
}
