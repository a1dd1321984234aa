// The AVX2/FMA build of the Winograd convolution kernels (see AVX2TrainingKernels.swift for
// what this build is and when it may be called).

import TrainingKernels

extension AVX2TrainingKernels {
    @inline(never)
    public static func winogradForward(
        _ winograd: WinogradConvolution, input: UnsafePointer<Float>, transformedWeight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, relu: Bool, images: Range<Int>, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        winograd.forward(
            input: input, transformedWeight: transformedWeight, bias: bias, relu: relu, images: images, output: output,
            scratch: scratch, FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func winogradBackward(
        _ winograd: WinogradConvolution, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
        transformedWeight: UnsafePointer<Float>, images: Range<Int>, dWeight: UnsafeMutablePointer<Float>,
        dInput: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>
    ) {
        winograd.backward(
            input: input, dOutput: dOutput, transformedWeight: transformedWeight, images: images, dWeight: dWeight,
            dInput: dInput, scratch: scratch, FusedMultiplyAdd.self)
    }
}
