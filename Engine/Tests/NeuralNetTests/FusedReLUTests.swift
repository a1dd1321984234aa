// Model fuses Conv2d + ReLU (+ MaxPool2d, which then masks the ReLU's gradient on its pooled
// output). The fused model must give exactly the gradients of the same layers run one by one
// without any fusion: masks and maxima are exact, so not a bit may differ.
import Testing

@testable import NeuralNet

@Suite("Fused convolution, ReLU and pooling")
struct FusedReLUTests {
    @Test(arguments: [Padding.valid, .same])
    func fusedModelGivesTheUnfusedGradients(padding: Padding) {
        // setup: conv → ReLU → max pool, twice, then a classifier; one model fused, one not
        let architecture = Architecture(
            name: "fusion", inputHeight: 11, inputWidth: 9, inputChannels: 1, classes: 3,
            layers: [
                .conv2d(filters: 8, kernel: 3, stride: 1, padding: padding, bias: true), .relu,
                .maxPool(size: 2, stride: 2, padding: .valid),
                .conv2d(filters: 16, kernel: 3, stride: 1, padding: .same, bias: true), .relu,
                .maxPool(size: 2, stride: 2, padding: padding),
                .flatten, .linear(units: 3, bias: true),
            ])
        let fused = Model(architecture: architecture, seed: 3)
        let plain = Model(architecture: architecture, seed: 3)
        for layer in plain.layers {
            (layer as? Conv2d)?.fusedReLU = false
            (layer as? Conv2d)?.gradientArrivesMasked = false
            (layer as? MaxPool2d)?.masksNonPositiveOutputs = false
        }
        var rng = SeededRandom(seed: 9)
        let input = randomTensor([4, 11, 9, 1], rng: &rng)
        // act
        let logits = fused.forward(input, training: true)
        let dLogits = randomTensor(logits.shape, rng: &rng)
        fused.backward(dLogits)
        var x = input
        for layer in plain.layers { x = layer.forward(x, training: true) }
        var g = dLogits
        for layer in plain.layers.reversed() { g = layer.backward(g) }
        // check
        #expect((fused.layers[0] as? Conv2d)?.gradientArrivesMasked == true)
        #expect((fused.layers[5] as? MaxPool2d)?.masksNonPositiveOutputs == true)
        #expect(x.data == logits.data)
        for (a, b) in zip(fused.parameters, plain.parameters) {
            #expect(a.grad == b.grad)
            #expect(a.grad.contains { $0 != 0 })
        }
    }
}
