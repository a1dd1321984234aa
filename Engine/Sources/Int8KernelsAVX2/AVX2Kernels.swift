// The fast int8 kernels compiled for AVX2 and FMA (x86-64-v3: Haswell, Zen and later).
//
// What it is: each function is the portable kernel of `Int8Kernels`, inlined here and so
// compiled with this target's `-target-cpu haswell` (see Package.swift): 256-bit vpmaddwd
// for convolutions, vpmuldq/vpsravd for requantisation. Same source, same results (tested).
// What it is not: callable on any CPU — `Int8Runtime` calls these only when
// `InstructionSet.avx2.isSupported`; elsewhere it calls the portable kernels.

import Int8Kernels

/// The AVX2 build of the fast kernels; arguments as in `Int8Kernels`.
public enum AVX2Kernels {
    @inline(never)
    public static func conv2d(
        _ p: ConvParameters, input: UnsafePointer<Int8>, filterPairs: UnsafePointer<Int16>,
        channelOffsets: UnsafePointer<Int32>, patch: UnsafeMutablePointer<Int16>,
        accumulators: UnsafeMutablePointer<Int32>, output: UnsafeMutablePointer<Int8>
    ) {
        conv2dFast(
            p, input: input, filterPairs: filterPairs, channelOffsets: channelOffsets, patch: patch,
            accumulators: accumulators, output: output)
    }

    @inline(never)
    public static func depthwiseConv2d(
        _ p: ConvParameters, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>
    ) {
        depthwiseConv2dFast(p, input: input, filter: filter, bias: bias, output: output)
    }

    @inline(never)
    public static func fullyConnected(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        weightSum: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>
    ) {
        fullyConnectedFast(p, input: input, weights: weights, weightSum: weightSum, bias: bias, output: output)
    }

    /// `ChannelRequantizer.eight` (the requantisation every fast kernel ends with).
    @inline(never)
    public static func requantize(
        _ values: SIMD8<Int32>, channel: Int, with requantizer: ChannelRequantizer
    ) -> SIMD8<Int8> {
        requantizer.eight(values, channel: channel)
    }
}
