// The AVX2/FMA build of the batch-norm kernels (see AVX2TrainingKernels.swift for what this
// build is and when it may be called).

import TrainingKernels

extension AVX2TrainingKernels {
    @inline(never)
    public static func batchNormStatistics(
        _ kernels: BatchNormalization, input: UnsafePointer<Float>, mean: UnsafeMutablePointer<Float>,
        variance: UnsafeMutablePointer<Float>
    ) {
        kernels.statistics(input: input, mean: mean, variance: variance, FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func batchNormNormalize(
        _ kernels: BatchNormalization, input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
        shift: UnsafePointer<Float>, clampToSix: Bool, output: UnsafeMutablePointer<Float>
    ) {
        kernels.normalize(
            input: input, scale: scale, shift: shift, clampToSix: clampToSix, output: output, FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func batchNormParameterGradients(
        _ kernels: BatchNormalization, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
        clamp: ClampedNormalization?, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
        dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>
    ) {
        kernels.parameterGradients(
            dOutput: dOutput, input: input, clamp: clamp, mean: mean, inverseStd: inverseStd, dGamma: dGamma,
            dBeta: dBeta, FusedMultiplyAdd.self)
    }

    @inline(never)
    public static func batchNormInputGradient(
        _ kernels: BatchNormalization, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
        clamp: ClampedNormalization?, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, d: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>
    ) {
        kernels.inputGradient(
            dOutput: dOutput, input: input, clamp: clamp, mean: mean, inverseStd: inverseStd, a: a, b: b, d: d,
            dInput: dInput, FusedMultiplyAdd.self)
    }
}
