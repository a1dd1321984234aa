// The depthwise convolution layer's calls into the active build of the training kernels
// (see TrainingKernelChoice).
import TrainingKernels
import TrainingKernelsAVX2

extension Kernels {
    static func depthwiseForward(
        _ depthwise: DepthwiseConvolution, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, images: Range<Int>, output: UnsafeMutablePointer<Float>,
        normalizing: ClampedNormalization?
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.depthwiseForward(
                depthwise, input: input, weight: weight, bias: bias, images: images, output: output,
                normalizing: normalizing)
        case .portable:
            depthwise.forward(
                input: input, weight: weight, bias: bias, images: images, output: output, normalizing: normalizing,
                SeparateMultiplyAdd.self)
        }
    }

    static func depthwiseWeightGradient(
        _ depthwise: DepthwiseConvolution, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
        images: Range<Int>, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
        normalizing: ClampedNormalization?
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.depthwiseWeightGradient(
                depthwise, input: input, dOutput: dOutput, images: images, dWeight: dWeight, dBias: dBias,
                normalizing: normalizing)
        case .portable:
            depthwise.accumulateWeightGradient(
                input: input, dOutput: dOutput, images: images, dWeight: dWeight, dBias: dBias,
                normalizing: normalizing, SeparateMultiplyAdd.self)
        }
    }

    static func depthwiseInputGradient(
        _ depthwise: DepthwiseConvolution, dOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        images: Range<Int>, dInput: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.depthwiseInputGradient(
                depthwise, dOutput: dOutput, weight: weight, images: images, dInput: dInput)
        case .portable:
            depthwise.inputGradient(
                dOutput: dOutput, weight: weight, images: images, dInput: dInput, SeparateMultiplyAdd.self)
        }
    }
}
