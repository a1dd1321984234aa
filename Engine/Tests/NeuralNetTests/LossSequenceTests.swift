// N training steps of a fixed tiny model on fixed data: the engine's loss sequence must
// equal (a) an independent plain-loop Double-precision implementation of the same model
// and optimiser written here, and (b) the stored sequence below (guards determinism).

import Foundation
import Testing
@testable import NeuralNet

@Suite("Stored loss sequence")
struct LossSequenceTests {
    static let architecture = Architecture(
        name: "test", inputHeight: 5, inputWidth: 5, inputChannels: 1, classes: 3,
        layers: [
            .conv2d(filters: 2, kernel: 3, stride: 1, padding: .valid, bias: true), .relu, .flatten,
            .linear(units: 3, bias: true),
        ])

    static func data() -> Batch {
        var rng = SeededRandom(seed: 2024)
        return Batch(images: randomTensor([4, 5, 5, 1], rng: &rng), labels: [0, 1, 2, 1])
    }

    /// Plain loops in Double: conv 3x3 (1→2) valid, ReLU, dense 18→3, mean cross-entropy, SGD.
    static func referenceLosses(
        conv: [Float], convBias: [Float], dense: [Float], denseBias: [Float],
        batch: Batch, steps: Int, learningRate: Double
    ) -> [Double] {
        var k = conv.map(Double.init), kb = convBias.map(Double.init)
        var w = dense.map(Double.init), wb = denseBias.map(Double.init)
        let x = batch.images.data.map(Double.init)
        var losses: [Double] = []
        for _ in 0..<steps {
            var dk = [Double](repeating: 0, count: k.count), dkb = [0.0, 0.0]
            var dw = [Double](repeating: 0, count: w.count), dwb = [0.0, 0.0, 0.0]
            var loss = 0.0
            for n in 0..<4 {
                var h = [Double](repeating: 0, count: 18)  // (3, 3, 2)
                for oy in 0..<3 {
                    for ox in 0..<3 {
                        for f in 0..<2 {
                            var s = kb[f]
                            for ky in 0..<3 {
                                for kx in 0..<3 { s += x[n * 25 + (oy + ky) * 5 + ox + kx] * k[(ky * 3 + kx) * 2 + f] }
                            }
                            h[(oy * 3 + ox) * 2 + f] = max(s, 0)
                        }
                    }
                }
                var z = [Double](repeating: 0, count: 3)
                for o in 0..<3 { z[o] = wb[o]; for i in 0..<18 { z[o] += h[i] * w[i * 3 + o] } }
                let m = z.max()!
                let e = z.map { exp($0 - m) }
                let p = e.map { $0 / e.reduce(0, +) }
                let label = batch.labels[n]
                loss += -log(p[label]) / 4
                let dz = (0..<3).map { (p[$0] - ($0 == label ? 1 : 0)) / 4 }
                var dh = [Double](repeating: 0, count: 18)
                for o in 0..<3 {
                    dwb[o] += dz[o]; for i in 0..<18 { dw[i * 3 + o] += h[i] * dz[o]; dh[i] += w[i * 3 + o] * dz[o] }
                }
                for oy in 0..<3 {
                    for ox in 0..<3 {
                        for f in 0..<2 where h[(oy * 3 + ox) * 2 + f] > 0 {
                            let g = dh[(oy * 3 + ox) * 2 + f]
                            dkb[f] += g
                            for ky in 0..<3 {
                                for kx in 0..<3 { dk[(ky * 3 + kx) * 2 + f] += x[n * 25 + (oy + ky) * 5 + ox + kx] * g }
                            }
                        }
                    }
                }
            }
            losses.append(loss)
            for i in k.indices { k[i] -= learningRate * dk[i] }
            for i in kb.indices { kb[i] -= learningRate * dkb[i] }
            for i in w.indices { w[i] -= learningRate * dw[i] }
            for i in wb.indices { wb[i] -= learningRate * dwb[i] }
        }
        return losses
    }

    static let stored: [Float] = [
        1.795794, 0.7869983, 0.5203117, 0.2772114, 0.14614734, 0.093576476, 0.0662251, 0.05007642,
    ]

    @Test("Engine loss sequence equals the plain-loop reference and the stored sequence")
    func lossSequence() {
        // setup
        let model = Model(architecture: Self.architecture, seed: 7)
        let conv = model.layers[0] as! Conv2d, dense = model.layers[3] as! Linear
        let reference = Self.referenceLosses(
            conv: conv.weight.value, convBias: conv.bias!.value,
            dense: dense.weight.value, denseBias: dense.bias!.value,
            batch: Self.data(), steps: 8, learningRate: 0.5)
        let trainer = Trainer(
            model: model,
            configuration: TrainingConfiguration(
                learningRate: 0.5,
                optimizer: .sgd(momentum: 0, nesterov: false)))
        let optimizer = Optimizer(.sgd(momentum: 0, nesterov: false), parameters: model.parameters)
        // act
        let losses = (0..<8).map { _ in trainer.trainStep(Self.data(), optimizer: optimizer, learningRate: 0.5).loss }
        // check
        for (engine, plain) in zip(losses, reference) { #expect(abs(Double(engine) - plain) < 1e-4 * max(1, plain)) }
        #expect(losses.last! < losses.first! * 0.8, "training must reduce the loss")
        #expect(Self.stored.count == losses.count)
        for (engine, stored) in zip(losses, Self.stored) { #expect(abs(engine - stored) < 1e-5) }
    }
}
