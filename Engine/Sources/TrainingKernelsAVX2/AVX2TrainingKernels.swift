// The training kernels compiled for AVX2 and FMA (x86-64-v3: Haswell, Zen and later).
//
// What it is: each function is the portable kernel of `TrainingKernels`, inlined here and so
// compiled with this target's `-target-cpu haswell` (see Package.swift): 256-bit vectors, and
// one `vfmadd` per multiply-add where the kernel is generic over `MultiplyAdd`. Same source;
// the results equal the portable build's except where a fused multiply-add rounds once
// instead of twice (tested within float tolerance).
// What it is not: callable on any CPU — NeuralNet calls these only when
// `TrainingKernelChoice.avx2.isSupported`; elsewhere it calls the portable kernels.

import TrainingKernels

/// The AVX2 build of the training kernels; arguments as in `TrainingKernels`.
public enum AVX2TrainingKernels {
    @inline(never)
    public static func directForward(
        _ direct: DirectConvolution, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, relu: Bool, images: Range<Int>, output: UnsafeMutablePointer<Float>
    ) {
        direct.forward(
            input: input, weight: weight, bias: bias, relu: relu, images: images, output: output,
            FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func directWeightGradient(
        _ direct: DirectConvolution, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, images: Range<Int>,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?
    ) {
        direct.accumulateWeightGradient(
            input: input, dOutput: dOutput, images: images, dWeight: dWeight, dBias: dBias, FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func maxPoolForward(
        input: UnsafePointer<Float>, height: Int, width: Int, channels: Int, images: Range<Int>,
        output: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>
    ) {
        MaxPool2x2.forward(
            input: input, height: height, width: width, channels: channels, images: images, output: output,
            winners: winners)
    }

    @inline(never)
    public static func maxPoolBackward(
        dOutput: UnsafePointer<Float>, winners: UnsafePointer<Int32>, height: Int, width: Int, channels: Int,
        images: Range<Int>, dInput: UnsafeMutablePointer<Float>
    ) {
        MaxPool2x2.backward(
            dOutput: dOutput, winners: winners, height: height, width: width, channels: channels, images: images,
            dInput: dInput)
    }

    @inline(never)
    public static func reluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        TrainingKernels.reluInPlace(x, count: count)
    }

    @inline(never)
    public static func maskPositive(
        gradient: UnsafePointer<Float>, reference: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        TrainingKernels.maskPositive(gradient: gradient, reference: reference, into: target, count: count)
    }
}
