// The batch-norm layer's calls into the active build of the training kernels (see
// TrainingKernelChoice).
import TrainingKernels
import TrainingKernelsAVX2

extension Kernels {
    static func batchNormStatistics(
        _ kernels: BatchNormalization, input: UnsafePointer<Float>, mean: UnsafeMutablePointer<Float>,
        variance: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2: AVX2TrainingKernels.batchNormStatistics(kernels, input: input, mean: mean, variance: variance)
        case .portable: kernels.statistics(input: input, mean: mean, variance: variance, SeparateMultiplyAdd.self)
        }
    }

    static func batchNormNormalize(
        _ kernels: BatchNormalization, input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
        shift: UnsafePointer<Float>, clampToSix: Bool, output: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.batchNormNormalize(
                kernels, input: input, scale: scale, shift: shift, clampToSix: clampToSix, output: output)
        case .portable:
            kernels.normalize(
                input: input, scale: scale, shift: shift, clampToSix: clampToSix, output: output,
                SeparateMultiplyAdd.self)
        }
    }

    static func batchNormParameterGradients(
        _ kernels: BatchNormalization, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
        clamp: ClampedNormalization?, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
        dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.batchNormParameterGradients(
                kernels, dOutput: dOutput, input: input, clamp: clamp, mean: mean, inverseStd: inverseStd,
                dGamma: dGamma, dBeta: dBeta)
        case .portable:
            kernels.parameterGradients(
                dOutput: dOutput, input: input, clamp: clamp, mean: mean, inverseStd: inverseStd, dGamma: dGamma,
                dBeta: dBeta, SeparateMultiplyAdd.self)
        }
    }

    static func batchNormInputGradient(
        _ kernels: BatchNormalization, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
        clamp: ClampedNormalization?, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, d: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.batchNormInputGradient(
                kernels, dOutput: dOutput, input: input, clamp: clamp, mean: mean, inverseStd: inverseStd, a: a,
                b: b, d: d, dInput: dInput)
        case .portable:
            kernels.inputGradient(
                dOutput: dOutput, input: input, clamp: clamp, mean: mean, inverseStd: inverseStd, a: a, b: b, d: d,
                dInput: dInput, SeparateMultiplyAdd.self)
        }
    }
}
