// Model lets a DepthwiseConv2d apply the BatchNorm + ReLU6 before it while its kernels read
// the input (the normalised activations are never written out). The model must give exactly
// the output and gradients of the same layers run one by one without any fusion, and the
// fused pair's gradients must match finite differences.
import Testing

@testable import NeuralNet

@Suite("Batch norm + ReLU6 applied by the depthwise kernels")
struct NormalizedDepthwiseInputTests {
    @Test(
        "The model with the normalisation in the depthwise layer gives the unfused output and gradients",
        arguments: [(8, 1), (16, 2), (24, 1), (12, 1)])
    func fusedModelGivesTheUnfusedGradients(channels: Int, stride: Int) {
        // setup: pointwise → BN → ReLU6 → depthwise → BN → ReLU6 → pointwise → BN → ReLU6 →
        // depthwise → BN → ReLU6 → head; 12 channels take the depthwise plain loops (not fused)
        let architecture = Architecture(
            name: "fusion-dw", inputHeight: 10, inputWidth: 9, inputChannels: 3, classes: 3,
            layers: [
                .conv2d(filters: channels, kernel: 1, stride: 1, padding: .same, bias: false),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .depthwiseConv2d(kernel: 3, stride: stride, padding: .same, bias: false),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .conv2d(filters: 2 * channels, kernel: 1, stride: 1, padding: .same, bias: false),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .depthwiseConv2d(kernel: 3, stride: 2, padding: .valid, bias: true),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .globalAvgPool, .linear(units: 3, bias: true),
            ])
        let (fused, plain) = fusedAndPlainModels(architecture, seed: 5)
        var rng = SeededRandom(seed: 10)
        let input = randomTensor([4, 10, 9, 3], rng: &rng)
        // act: two steps, so the second runs on running statistics the first updated
        var logits = Tensor(zeros: [0]), x = input
        for _ in 0..<2 {
            logits = fused.forward(input, training: true)
            x = input
            for layer in plain.layers { x = layer.forward(x, training: true) }
        }
        let dLogits = randomTensor(logits.shape, rng: &rng)
        fused.backward(dLogits)
        var g = dLogits
        for layer in plain.layers.reversed() { g = layer.backward(g) }
        // check
        let depthwise = fused.layers.compactMap { $0 as? DepthwiseConv2d }
        #expect(depthwise.allSatisfy { ($0.inputNormalization != nil) == ($0.channels % 8 == 0) })
        #expect(x.data == logits.data)
        for (a, b) in zip(fused.parameters, plain.parameters) {
            #expect(a.grad == b.grad)
            #expect(a.grad.contains { $0 != 0 })
        }
        for (a, b) in zip(fused.state, plain.state) { #expect(a.value == b.value) }
        #expect(fused.forward(input, training: false).data == plain.forward(input, training: false).data)
    }

    /// BatchNorm (+ ReLU6) whose output the DepthwiseConv2d after it computes, as one layer.
    final class NormalizedDepthwise: Layer {
        let norm: BatchNorm, depthwise: DepthwiseConv2d
        var needsInputGradient = true

        init(norm: BatchNorm, depthwise: DepthwiseConv2d) {
            norm.fusedReLU6 = true
            self.norm = norm
            self.depthwise = depthwise
        }

        var spec: LayerSpec { depthwise.spec }
        var parameters: [Parameter] { norm.parameters + depthwise.parameters }
        func outputShape(for inputShape: [Int]) -> [Int] { depthwise.outputShape(for: inputShape) }
        func forward(_ input: Tensor, training: Bool) -> Tensor {
            let (scale, shift) = norm.prepareTraining(input)
            return depthwise.forward(input, normalizedBy: scale, shift: shift)
        }
        func backward(_ dOutput: Tensor) -> Tensor { norm.backward(depthwise.backward(dOutput)) }
    }

    @Test(
        "The fused pair's gradients match finite differences", arguments: [(1, Padding.same), (2, .same), (2, .valid)])
    func fusedPairMatchesFiniteDifferences(stride: Int, padding: Padding) {
        // setup: gamma 0.5, beta 3 keep the normalised values inside (0, 6), away from the
        // clamp's kinks, where a finite difference is meaningless
        var rng = SeededRandom(seed: 17)
        let norm = BatchNorm(channels: 16)
        norm.gamma.value = (0..<16).map { _ in 0.5 + rng.normal() * 0.1 }
        norm.beta.value = (0..<16).map { _ in 3 + rng.normal() * 0.3 }
        let depthwise = DepthwiseConv2d(channels: 16, kernelSize: 3, stride: stride, padding: padding, rng: &rng)
        depthwise.bias!.value = (0..<16).map { _ in rng.normal() }
        let layer = NormalizedDepthwise(norm: norm, depthwise: depthwise)
        // act + check
        #expect(
            gradientMismatches(layer, inputShape: [2, 7, 6, 16], epsilon: 1e-2, tolerance: 3e-2, samples: 60)
                .isEmpty)
    }
}
