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
    public let multipliers: [Int32]
    public let shifts: [Int]
    /// `shifts` split for the fast kernels: max(shift, 0) and max(−shift, 0) per channel.
    public let leftShifts: [Int32], rightShifts: [Int32]

    public init(
        batches: Int, inputHeight: Int, inputWidth: Int, inputChannels: Int,
        outputHeight: Int, outputWidth: Int, outputChannels: Int, filterHeight: Int, filterWidth: Int,
        strideHeight: Int, strideWidth: Int, dilationHeight: Int, dilationWidth: Int, padTop: Int, padLeft: Int,
        depthMultiplier: Int, inputOffset: Int32, outputOffset: Int32, activationMin: Int32, activationMax: Int32,
        multipliers: [Int32], shifts: [Int]
    ) {
        (self.batches, self.inputHeight, self.inputWidth, self.inputChannels) = (
            batches, inputHeight, inputWidth, inputChannels
        )
        (self.outputHeight, self.outputWidth, self.outputChannels) = (outputHeight, outputWidth, outputChannels)
        (self.filterHeight, self.filterWidth, self.strideHeight, self.strideWidth) = (
            filterHeight, filterWidth, strideHeight, strideWidth
        )
        (self.dilationHeight, self.dilationWidth, self.padTop, self.padLeft) = (
            dilationHeight, dilationWidth, padTop, padLeft
        )
        (self.depthMultiplier, self.inputOffset, self.outputOffset) = (depthMultiplier, inputOffset, outputOffset)
        (self.activationMin, self.activationMax, self.multipliers, self.shifts) = (
            activationMin, activationMax, multipliers, shifts
        )
        leftShifts = shifts.map { Int32(max($0, 0)) }
        rightShifts = shifts.map { Int32(max(-$0, 0)) }
    }

    /// Calls `body` with the per-channel requantisation as pointers (valid only inside `body`).
    @inlinable @inline(__always)
    public func withRequantizer<R>(_ body: (ChannelRequantizer) -> R) -> R {
        multipliers.withUnsafeBufferPointer { m in
            leftShifts.withUnsafeBufferPointer { left in
                rightShifts.withUnsafeBufferPointer { right in
                    body(
                        ChannelRequantizer(
                            multipliers: m.baseAddress!, leftShifts: left.baseAddress!, rightShifts: right.baseAddress!,
                            outputOffset: outputOffset, minimum: activationMin, maximum: activationMax))
                }
            }
        }
    }
}
