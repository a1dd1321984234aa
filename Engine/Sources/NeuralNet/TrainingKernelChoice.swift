// Which build of the training kernels (TrainingKernels) the layers call, chosen once per
// process from what the CPU can do: the AVX2/FMA build on x86-64-v3 CPUs, the portable one
// elsewhere. `MINNOW_TRAINING_KERNELS=portable` forces the portable build (to compare the
// two on one machine); a choice the CPU cannot run is ignored.
import CPUFeatures
import Foundation
import TrainingKernels
import TrainingKernelsAVX2

public enum TrainingKernelChoice: String, Sendable, CaseIterable {
    /// Compiled for the baseline CPU of the build (SSE2 on x86-64).
    case portable
    /// Compiled for x86-64-v3 (AVX2, FMA); only on CPUs that have it.
    case avx2

    /// Whether this CPU can run these kernels.
    public var isSupported: Bool {
        switch self {
        case .portable: true
        case .avx2: minnow_cpu_has_x86_64_v3() != 0
        }
    }

    /// The kernels the layers use in this process.
    public static let active: TrainingKernelChoice = {
        if let name = ProcessInfo.processInfo.environment["MINNOW_TRAINING_KERNELS"],
            let chosen = TrainingKernelChoice(rawValue: name), chosen.isSupported
        {
            return chosen
        }
        return avx2.isSupported ? .avx2 : .portable
    }()
}

/// The layers' calls into the active build of the kernels.
enum Kernels {
    static func directForward(
        _ direct: DirectConvolution, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, relu: Bool, images: Range<Int>, output: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.directForward(
                direct, input: input, weight: weight, bias: bias, relu: relu, images: images, output: output)
        case .portable:
            direct.forward(
                input: input, weight: weight, bias: bias, relu: relu, images: images, output: output,
                SeparateMultiplyAdd.self)
        }
    }

    static func directWeightGradient(
        _ direct: DirectConvolution, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, images: Range<Int>,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.directWeightGradient(
                direct, input: input, dOutput: dOutput, images: images, dWeight: dWeight, dBias: dBias)
        case .portable:
            direct.accumulateWeightGradient(
                input: input, dOutput: dOutput, images: images, dWeight: dWeight, dBias: dBias,
                SeparateMultiplyAdd.self)
        }
    }

    static func maxPoolForward(
        input: UnsafePointer<Float>, height: Int, width: Int, channels: Int, images: Range<Int>,
        output: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.maxPoolForward(
                input: input, height: height, width: width, channels: channels, images: images, output: output,
                winners: winners)
        case .portable:
            MaxPool2x2.forward(
                input: input, height: height, width: width, channels: channels, images: images, output: output,
                winners: winners)
        }
    }

    static func maxPoolBackward(
        dOutput: UnsafePointer<Float>, winners: UnsafePointer<Int32>, height: Int, width: Int, channels: Int,
        images: Range<Int>, dInput: UnsafeMutablePointer<Float>
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.maxPoolBackward(
                dOutput: dOutput, winners: winners, height: height, width: width, channels: channels, images: images,
                dInput: dInput)
        case .portable:
            MaxPool2x2.backward(
                dOutput: dOutput, winners: winners, height: height, width: width, channels: channels, images: images,
                dInput: dInput)
        }
    }

    static func reluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch TrainingKernelChoice.active {
        case .avx2: AVX2TrainingKernels.reluInPlace(x, count: count)
        case .portable: TrainingKernels.reluInPlace(x, count: count)
        }
    }

    static func maskPositive(
        gradient: UnsafePointer<Float>, reference: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        switch TrainingKernelChoice.active {
        case .avx2:
            AVX2TrainingKernels.maskPositive(gradient: gradient, reference: reference, into: target, count: count)
        case .portable:
            TrainingKernels.maskPositive(gradient: gradient, reference: reference, into: target, count: count)
        }
    }
}
