// Every layer's backward against finite differences: input, weight and bias gradients.

import Testing
@testable import NeuralNet

@Suite("Layer gradients match finite differences")
struct LayerGradientTests {
    @Test("Conv2d, valid padding, stride 1")
    func conv2dValid() {
        var rng = SeededRandom(seed: 10)
        let layer = Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 1, padding: .valid, rng: &rng)
        #expect(gradientMismatches(layer, inputShape: [2, 6, 5, 3]).isEmpty)
    }

    @Test("Conv2d, same padding, stride 2, odd size")
    func conv2dSameStride2() {
        var rng = SeededRandom(seed: 11)
        let layer = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: .same, rng: &rng)
        #expect(layer.outputShape(for: [3, 7, 6, 2]) == [3, 4, 3, 3])
        #expect(gradientMismatches(layer, inputShape: [3, 7, 6, 2]).isEmpty)
    }

    @Test("Conv2d, more input channels, valid and same")
    func conv2dIm2col() {
        for padding in Padding.allCases {
            var rng = SeededRandom(seed: 16)
            let layer = Conv2d(
                inputChannels: 4, outputChannels: 3, kernelSize: 3, stride: 1, padding: padding, rng: &rng)
            #expect(gradientMismatches(layer, inputShape: [2, 5, 6, 4]).isEmpty, "\(padding)")
        }
    }

    @Test("Conv2d with fused ReLU equals Conv2d then ReLU (forward and every gradient)")
    func conv2dFusedReLU() {
        // A central difference across the ReLU kink is unreliable, so the fused layer is
        // checked against the composition of two layers that are each checked above.
        for (inputChannels, kernel) in [(1, 3), (4, 3), (6, 1)] {
            var rngA = SeededRandom(seed: 17), rngB = SeededRandom(seed: 17)
            let fused = Conv2d(
                inputChannels: inputChannels, outputChannels: 8, kernelSize: kernel, stride: 1, padding: .same,
                rng: &rngA)
            let plain = Conv2d(
                inputChannels: inputChannels, outputChannels: 8, kernelSize: kernel, stride: 1, padding: .same,
                rng: &rngB)
            fused.fusedReLU = true
            let relu = ReLU()
            let x = randomTensor([3, 5, 5, inputChannels], rng: &rngA)
            let y = fused.forward(x, training: true)
            #expect(y == relu.forward(plain.forward(x, training: true), training: true))
            #expect(y.data.contains(0) && y.data.allSatisfy { $0 >= 0 })
            let r = randomTensor(y.shape, rng: &rngA)
            #expect(fused.backward(r) == plain.backward(relu.backward(r)))
            #expect(fused.weight.grad == plain.weight.grad && fused.bias!.grad == plain.bias!.grad)
        }
    }

    @Test("Conv2d without bias equals Conv2d with a zero bias")
    func conv2dNoBias() {
        for kernel in [1, 3] {
            var rngA = SeededRandom(seed: 19), rngB = SeededRandom(seed: 19)
            let without = Conv2d(
                inputChannels: 4, outputChannels: 5, kernelSize: kernel, stride: 1, padding: .same, useBias: false,
                rng: &rngA)
            let with = Conv2d(
                inputChannels: 4, outputChannels: 5, kernelSize: kernel, stride: 1, padding: .same, rng: &rngB)
            let x = randomTensor([2, 4, 4, 4], rng: &rngA)
            #expect(without.forward(x, training: false) == with.forward(x, training: false))
        }
    }

    @Test("Conv2d with a tiny patch (direct path), valid and same, strides 1 and 2")
    func conv2dDirect() {
        for (padding, stride) in [(Padding.valid, 1), (.same, 1), (.same, 2)] {
            var rng = SeededRandom(seed: 13)
            let layer = Conv2d(
                inputChannels: 1, outputChannels: 8, kernelSize: 3, stride: stride, padding: padding, rng: &rng)
            #expect(gradientMismatches(layer, inputShape: [2, 7, 6, 1]).isEmpty, "\(padding) stride \(stride)")
        }
    }

    @Test("Conv2d direct path equals the im2col path (output and every gradient)")
    func conv2dDirectEqualsIm2col() {
        for (padding, relu) in [(Padding.valid, true), (.same, false)] {
            // setup
            var rngA = SeededRandom(seed: 14), rngB = SeededRandom(seed: 14)
            let direct = Conv2d(inputChannels: 2, outputChannels: 16, kernelSize: 3, padding: padding, rng: &rngA)
            let im2col = Conv2d(inputChannels: 2, outputChannels: 16, kernelSize: 3, padding: padding, rng: &rngB)
            im2col.allowsDirect = false
            direct.fusedReLU = relu
            im2col.fusedReLU = relu
            let x = randomTensor([5, 9, 8, 2], rng: &rngA)
            // act
            let y = direct.forward(x, training: true), yReference = im2col.forward(x, training: true)
            let r = randomTensor(y.shape, rng: &rngA)
            let dx = direct.backward(r), dxReference = im2col.backward(r)
            // check
            func close(_ a: [Float], _ b: [Float]) -> Bool {
                zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
            }
            #expect(close(y.data, yReference.data))
            #expect(close(dx.data, dxReference.data))
            #expect(close(direct.weight.grad, im2col.weight.grad))
            #expect(close(direct.bias!.grad, im2col.bias!.grad))
        }
    }

    @Test("Conv2d 1x1 (pointwise path) without bias")
    func conv2dPointwise() {
        var rng = SeededRandom(seed: 12)
        let layer = Conv2d(
            inputChannels: 5, outputChannels: 3, kernelSize: 1, padding: .same, useBias: false, rng: &rng)
        #expect(layer.parameters.count == 1)
        #expect(gradientMismatches(layer, inputShape: [3, 4, 4, 5]).isEmpty)
    }

    @Test("DepthwiseConv2d, same padding, strides 1 and 2")
    func depthwise() {
        for stride in [1, 2] {
            var rng = SeededRandom(seed: 13)
            let layer = DepthwiseConv2d(channels: 4, kernelSize: 3, stride: stride, padding: .same, rng: &rng)
            #expect(gradientMismatches(layer, inputShape: [3, 6, 5, 4]).isEmpty, "stride \(stride)")
        }
    }

    @Test("DepthwiseConv2d on 8 and 16 channels (SIMD kernels), strides 1 and 2, same and valid")
    func depthwiseKernels() {
        for (stride, padding, channels) in [(1, Padding.same, 8), (2, .same, 16), (1, .valid, 16), (2, .valid, 8)] {
            var rng = SeededRandom(seed: 13)
            let layer = DepthwiseConv2d(
                channels: channels, kernelSize: 3, stride: stride, padding: padding, rng: &rng)
            layer.bias!.value = (0..<channels).map { _ in rng.normal() }
            #expect(
                gradientMismatches(layer, inputShape: [2, 7, 6, channels], samples: 60).isEmpty,
                "stride \(stride), \(padding), \(channels) channels")
        }
    }

    @Test("BatchNorm on 16 channels (whole SIMD groups) and 11 (a partial group)")
    func batchNormKernels() {
        for channels in [16, 11] {
            let layer = BatchNorm(channels: channels)
            var rng = SeededRandom(seed: 16)
            layer.gamma.value = (0..<channels).map { _ in 1 + rng.normal() * 0.3 }
            layer.beta.value = (0..<channels).map { _ in rng.normal() }
            #expect(
                gradientMismatches(layer, inputShape: [3, 3, 2, channels], epsilon: 1e-2, tolerance: 3e-2).isEmpty,
                "\(channels) channels")
        }
    }

    @Test("Linear")
    func linear() {
        var rng = SeededRandom(seed: 14)
        let layer = Linear(inputFeatures: 7, outputFeatures: 5, rng: &rng)
        #expect(gradientMismatches(layer, inputShape: [4, 7]).isEmpty)
    }

    @Test("BatchNorm in training mode")
    func batchNorm() {
        let layer = BatchNorm(channels: 3)
        var rng = SeededRandom(seed: 15)
        layer.gamma.value = (0..<3).map { _ in 1 + rng.normal() * 0.3 }
        layer.beta.value = (0..<3).map { _ in rng.normal() }
        #expect(gradientMismatches(layer, inputShape: [4, 3, 2, 3], epsilon: 1e-2, tolerance: 3e-2).isEmpty)
    }

    @Test("ReLU, ReLU6, Softmax, Flatten")
    func elementwise() {
        #expect(gradientMismatches(ReLU(), inputShape: [2, 3, 3, 2], epsilon: 1e-3).isEmpty)
        let relu6 = ReLU6()
        #expect(gradientMismatches(relu6, inputShape: [2, 3, 3, 2], epsilon: 1e-3).isEmpty)
        #expect(gradientMismatches(Softmax(), inputShape: [3, 5], epsilon: 1e-2).isEmpty)
        #expect(gradientMismatches(Flatten(), inputShape: [2, 3, 2, 2]).isEmpty)
    }

    @Test("MaxPool2d, AvgPool2d (valid and same), GlobalAvgPool")
    func pooling() {
        #expect(gradientMismatches(MaxPool2d(size: 2), inputShape: [2, 4, 6, 3], epsilon: 1e-3).isEmpty)
        // 2x2 stride 2 over channels in multiples of 8 takes the straight-line kernels; odd sizes leave a row out.
        #expect(gradientMismatches(MaxPool2d(size: 2), inputShape: [2, 5, 7, 16], epsilon: 1e-3).isEmpty)
        #expect(
            gradientMismatches(MaxPool2d(size: 3, stride: 2, padding: .same), inputShape: [2, 5, 5, 2], epsilon: 1e-3)
                .isEmpty)
        #expect(gradientMismatches(AvgPool2d(size: 2), inputShape: [2, 4, 4, 3]).isEmpty)
        #expect(gradientMismatches(AvgPool2d(size: 3, stride: 2, padding: .same), inputShape: [2, 5, 4, 2]).isEmpty)
        #expect(gradientMismatches(GlobalAvgPool(), inputShape: [2, 3, 4, 5]).isEmpty)
    }

    @Test("Dropout with a fixed mask")
    func dropout() {
        let layer = Dropout(rate: 0.5, rng: SeededRandom(seed: 1))
        let mismatches = gradientMismatches(layer, inputShape: [4, 10]) { layer.rng = SeededRandom(seed: 99) }
        #expect(mismatches.isEmpty)
        // Evaluation mode is the identity.
        let x = Tensor(shape: [1, 4], data: [1, 2, 3, 4])
        #expect(layer.forward(x, training: false) == x)
    }

    @Test("A wrong gradient is caught by the checker")
    func checkerFailsOnWrongGradient() {
        // A layer whose backward is deliberately off by a factor of 2.
        final class Broken: Layer {
            var needsInputGradient = true
            var spec: LayerSpec { .relu }
            func outputShape(for inputShape: [Int]) -> [Int] { inputShape }
            func forward(_ input: Tensor, training: Bool) -> Tensor { input }
            func backward(_ dOutput: Tensor) -> Tensor {
                Tensor(shape: dOutput.shape, data: dOutput.data.map { $0 * 2 })
            }
        }
        #expect(!gradientMismatches(Broken(), inputShape: [2, 3]).isEmpty)
    }
}
