// The AVX2/FMA build of the depthwise convolution kernels (see
// AVX2TrainingKernels.swift for what this build is and when it may be called).

import TrainingKernels

extension AVX2TrainingKernels {
    @inline(never)
    public static func depthwiseForward(
        _ depthwise: DepthwiseConvolution, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, images: Range<Int>, output: UnsafeMutablePointer<Float>,
        normalizing: ClampedNormalization? = nil
    ) {
        depthwise.forward(
            input: input, weight: weight, bias: bias, images: images, output: output, normalizing: normalizing,
            FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func depthwiseWeightGradient(
        _ depthwise: DepthwiseConvolution, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
        images: Range<Int>, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
        normalizing: ClampedNormalization? = nil
    ) {
        depthwise.accumulateWeightGradient(
            input: input, dOutput: dOutput, images: images, dWeight: dWeight, dBias: dBias, normalizing: normalizing,
            FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func depthwiseInputGradient(
        _ depthwise: DepthwiseConvolution, dOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        images: Range<Int>, dInput: UnsafeMutablePointer<Float>
    ) {
        depthwise.inputGradient(
            dOutput: dOutput, weight: weight, images: images, dInput: dInput, FusedMultiplyAdd.self)
    }
}
