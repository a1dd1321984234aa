// A validated operator with everything its kernel needs precomputed (multipliers, filter
// sums, constant data), so the run loop does no checks and no floating point. Public so the
// C generator (module Firmware) emits exactly the parameters the Swift runtime uses.

/// One prepared operator.
public enum PreparedKernel: Sendable {
    /// `filterPairs` and `channelOffsets`: the filter and bias as the fast kernel takes them
    /// (`pairedFilter`, `conv2dChannelOffsets`).
    case conv2d(ConvParameters, filter: [Int8], filterPairs: [Int16], channelOffsets: [Int32], bias: [Int32]?)
    case depthwiseConv2d(ConvParameters, filter: [Int8], bias: [Int32]?)
    case fullyConnected(FullyConnectedParameters, weights: [Int8], weightSum: [Int32], bias: [Int32]?)
    case maxPool2d(PoolParameters)
    case averagePool2d(PoolParameters)
    case mean(MeanParameters)
    case copy(bytes: Int)
    case softmax(SoftmaxParameters)
    case quantize(count: Int, scale: Float, zeroPoint: Int32)
    case requantize(count: Int, inputZeroPoint: Int32, multiplier: QuantizedMultiplier, outputZeroPoint: Int32)
    case dequantize(count: Int, scale: Float, zeroPoint: Int32)

    /// Bytes of scratch space the kernel needs during its step.
    public var scratchBytes: Int {
        switch self {
        case let .conv2d(p, _, _, _, _): conv2dScratchLayout(p).totalBytes
        case let .mean(p): p.outputCount * 4
        default: 0
        }
    }
}

/// A prepared operator with the arena offsets of its input, output and scratch buffers.
struct PreparedStep: Sendable {
    var kernel: PreparedKernel
    var input: Int
    var output: Int
    var scratch: Int
    var kernels: KernelChoice
}
