// The Winograd convolution's calls into the active build of the training kernels
// (see TrainingKernelChoice).
import TrainingKernels
import TrainingKernelsAVX2

extension Kernels {
    static func winogradForward(
        _ winograd: WinogradConvolution, input: UnsafePointer<Float>, transformedWeight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, relu: Bool, images: Range<Int>, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.winogradForward(
                winograd, input: input, transformedWeight: transformedWeight, bias: bias, relu: relu, images: images,
                output: output, scratch: scratch)
        case .portable:
            winograd.forward(
                input: input, transformedWeight: transformedWeight, bias: bias, relu: relu, images: images,
                output: output, scratch: scratch, SeparateMultiplyAdd.self)
        }
    }

    static func winogradBackward(
        _ winograd: WinogradConvolution, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
        transformedWeight: UnsafePointer<Float>, images: Range<Int>, dWeight: UnsafeMutablePointer<Float>,
        dInput: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.winogradBackward(
                winograd, input: input, dOutput: dOutput, transformedWeight: transformedWeight, images: images,
                dWeight: dWeight, dInput: dInput, scratch: scratch)
        case .portable:
            winograd.backward(
                input: input, dOutput: dOutput, transformedWeight: transformedWeight, images: images,
                dWeight: dWeight, dInput: dInput, scratch: scratch, SeparateMultiplyAdd.self)
        }
    }
}
