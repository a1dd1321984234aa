// Requantisation of int32 accumulators to int8 outputs with a multiplier and shift per output
// channel, the last step of every fast convolution kernel.
//
// What it is: `requantizeNonNegative` (TFLite Micro's double-rounding arithmetic) plus the
// output zero point and the activation clamp, for one channel or eight adjacent channels at
// once. The eight-channel form is the same arithmetic lane by lane, written without branches
// or selects so that the AVX2 build becomes about seven instructions per value (vpmuldq,
// vpsravd); it equals the one-channel form for every input (tested). It keeps the standard
// library's generic lane conversions: in the AVX2 build they become vpmovsxdq/vpmovdb, while
// the lane-by-lane forms of `SIMDLanes.swift` made workload A 1.7x slower there (measured).
// What it is not: a general requantiser; multipliers must be non-negative (TFLite's are).

/// Per-channel requantisation parameters as pointers into `ConvParameters`' arrays.
public struct ChannelRequantizer {
    public let multipliers: UnsafePointer<Int32>
    public let leftShifts: UnsafePointer<Int32>
    public let rightShifts: UnsafePointer<Int32>
    public let outputOffset: Int32, minimum: Int32, maximum: Int32

    @inlinable
    public init(
        multipliers: UnsafePointer<Int32>, leftShifts: UnsafePointer<Int32>, rightShifts: UnsafePointer<Int32>,
        outputOffset: Int32, minimum: Int32, maximum: Int32
    ) {
        (self.multipliers, self.leftShifts, self.rightShifts) = (multipliers, leftShifts, rightShifts)
        (self.outputOffset, self.minimum, self.maximum) = (outputOffset, minimum, maximum)
    }

    /// The int8 output of channel `channel` for accumulator `value`.
    @inlinable @inline(__always)
    public func one(_ value: Int32, channel: Int) -> Int8 {
        let scaled = requantizeNonNegative(
            value, multipliers[channel], leftShift: leftShifts[channel], rightShift: rightShifts[channel])
        return Int8(truncatingIfNeeded: min(max(scaled &+ outputOffset, minimum), maximum))
    }

    /// The int8 outputs of channels `channel..<channel + 8`.
    @inlinable @inline(__always)
    public func eight(_ value: SIMD8<Int32>, channel: Int) -> SIMD8<Int8> {
        let scaled = requantizeNonNegative(
            value, load(multipliers + channel), leftShift: load(leftShifts + channel),
            rightShift: load(rightShifts + channel))
        let clamped = (scaled &+ outputOffset).clamped(
            lowerBound: SIMD8(repeating: minimum), upperBound: SIMD8(repeating: maximum))
        return SIMD8<Int8>(truncatingIfNeeded: clamped)
    }

    /// Requantises `count` accumulators of adjacent channels starting at channel 0, each plus
    /// its `offsets` entry, into `output`.
    @inlinable @inline(__always)
    public func all(
        _ accumulators: UnsafePointer<Int32>, plus offsets: UnsafePointer<Int32>, count: Int,
        into output: UnsafeMutablePointer<Int8>
    ) {
        var channel = 0
        while channel + 8 <= count {
            store(eight(load(accumulators + channel) &+ load(offsets + channel), channel: channel), output + channel)
            channel += 8
        }
        while channel < count {
            output[channel] = one(accumulators[channel] &+ offsets[channel], channel: channel)
            channel += 1
        }
    }
}

/// Eight int32 values from `pointer` (any alignment).
@inlinable @inline(__always)
func load(_ pointer: UnsafePointer<Int32>) -> SIMD8<Int32> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Int32>.self)
}

/// Eight int8 values from `pointer`, widened to int32.
@inlinable @inline(__always)
func load(_ pointer: UnsafePointer<Int8>) -> SIMD8<Int32> {
    SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Int8>.self))
}

/// Stores eight int8 values at `pointer` (any alignment).
@inlinable @inline(__always)
func store(_ values: SIMD8<Int8>, _ pointer: UnsafeMutablePointer<Int8>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: values, as: SIMD8<Int8>.self)
}

/// `requantizeNonNegative` for eight lanes, each with its own multiplier and shifts.
@inlinable @inline(__always)
public func requantizeNonNegative(
    _ x: SIMD8<Int32>, _ multiplier: SIMD8<Int32>, leftShift: SIMD8<Int32>, rightShift: SIMD8<Int32>
) -> SIMD8<Int32> {
    let shifted = x &<< leftShift
    var high = SIMD8<Int32>()
    high.evenHalf = roundingHighHalf(
        SIMD4<Int64>(truncatingIfNeeded: shifted.evenHalf) &* SIMD4<Int64>(truncatingIfNeeded: multiplier.evenHalf))
    high.oddHalf = roundingHighHalf(
        SIMD4<Int64>(truncatingIfNeeded: shifted.oddHalf) &* SIMD4<Int64>(truncatingIfNeeded: multiplier.oddHalf))
    // Rounding divide by 2^rightShift, ties away from zero: add 1 where the remainder is above
    // the threshold (both are in [0, 2^31), so their difference is negative exactly then).
    let mask = (SIMD8<Int32>(repeating: 1) &<< rightShift) &- 1
    let threshold = (mask &>> 1) &- (high &>> 31)
    return (high &>> rightShift) &- ((threshold &- (high & mask)) &>> 31)
}

/// `(product + nudge) / 2^31` truncated towards zero, per lane: the nudge is 2^30 for
/// non-negative products and 1 − 2^30 for negative ones (sign masks instead of selects).
@inlinable @inline(__always)
func roundingHighHalf(_ product: SIMD4<Int64>) -> SIMD4<Int32> {
    let nudged = product &+ ((1 << 30) &+ ((product &>> 63) & (1 - (1 << 31))))
    return SIMD4<Int32>(truncatingIfNeeded: (nudged &+ ((nudged &>> 63) & ((1 << 31) - 1))) &>> 31)
}
