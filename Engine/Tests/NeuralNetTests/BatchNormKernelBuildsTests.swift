// The two builds of the batch-norm kernels (BatchNormalization; portable and AVX2 + FMA)
// against a plain double-precision reference, for channel counts in and out of multiples
// of 8, with and without the fused ReLU6 (whose mask backward recomputes from the input);
// and a model whose BatchNorm + ReLU6 are fused in training against the same layers run
// one by one.
import Testing
import TrainingKernels
import TrainingKernelsAVX2

@testable import NeuralNet

@Suite("Batch-norm kernel builds")
struct BatchNormKernelBuildsTests {
    /// Statistics, normalised output and gradients from one build of the kernels.
    struct Result {
        var mean: [Float], variance: [Float], output: [Float], dGamma: [Float], dBeta: [Float], dInput: [Float]
    }

    static func run(
        input: [Float], dOutput: [Float], rows: Int, channels c: Int, gamma: [Float], beta: [Float], relu6: Bool,
        avx2: Bool
    ) -> Result {
        let k = BatchNormalization(rows: rows, channels: c)
        var r = Result(
            mean: .init(repeating: .nan, count: c), variance: .init(repeating: .nan, count: c),
            output: .init(repeating: .nan, count: input.count), dGamma: .init(repeating: 0, count: c),
            dBeta: .init(repeating: 0, count: c), dInput: .init(repeating: .nan, count: input.count))
        input.withUnsafeBufferPointer { x in
            r.mean.withUnsafeMutableBufferPointer { mean in
                r.variance.withUnsafeMutableBufferPointer { variance in
                    if avx2 {
                        AVX2TrainingKernels.batchNormStatistics(
                            k, input: x.baseAddress!, mean: mean.baseAddress!, variance: variance.baseAddress!)
                    } else {
                        k.statistics(
                            input: x.baseAddress!, mean: mean.baseAddress!, variance: variance.baseAddress!,
                            SeparateMultiplyAdd.self)
                    }
                }
            }
        }
        let invStd = r.variance.map { 1 / ($0 + 1e-3).squareRoot() }
        let scale = (0..<c).map { gamma[$0] * invStd[$0] }
        let shift = (0..<c).map { beta[$0] - r.mean[$0] * scale[$0] }
        input.withUnsafeBufferPointer { x in
            r.output.withUnsafeMutableBufferPointer { y in
                if avx2 {
                    AVX2TrainingKernels.batchNormNormalize(
                        k, input: x.baseAddress!, scale: scale, shift: shift, clampToSix: relu6, output: y.baseAddress!)
                } else {
                    k.normalize(
                        input: x.baseAddress!, scale: scale, shift: shift, clampToSix: relu6, output: y.baseAddress!,
                        SeparateMultiplyAdd.self)
                }
            }
        }
        let mean = r.mean
        var dGammaSums = r.dGamma, dBetaSums = r.dBeta
        input.withUnsafeBufferPointer { x in
            scale.withUnsafeBufferPointer { scale in
                let y = relu6 ? ClampedNormalization(scale: scale.baseAddress!, shift: shift) : nil
                dGammaSums.withUnsafeMutableBufferPointer { dGamma in
                    dBetaSums.withUnsafeMutableBufferPointer { dBeta in
                        if avx2 {
                            AVX2TrainingKernels.batchNormParameterGradients(
                                k, dOutput: dOutput, input: x.baseAddress!, clamp: y, mean: mean,
                                inverseStd: invStd, dGamma: dGamma.baseAddress!, dBeta: dBeta.baseAddress!)
                        } else {
                            k.parameterGradients(
                                dOutput: dOutput, input: x.baseAddress!, clamp: y, mean: mean, inverseStd: invStd,
                                dGamma: dGamma.baseAddress!, dBeta: dBeta.baseAddress!, SeparateMultiplyAdd.self)
                        }
                    }
                }
                let m = Float(rows)
                let a = (0..<c).map { gamma[$0] * invStd[$0] }
                let b = (0..<c).map { a[$0] * dBetaSums[$0] / m }, d = (0..<c).map { a[$0] * dGammaSums[$0] / m }
                r.dInput.withUnsafeMutableBufferPointer { dx in
                    if avx2 {
                        AVX2TrainingKernels.batchNormInputGradient(
                            k, dOutput: dOutput, input: x.baseAddress!, clamp: y, mean: mean, inverseStd: invStd,
                            a: a, b: b, d: d, dInput: dx.baseAddress!)
                    } else {
                        k.inputGradient(
                            dOutput: dOutput, input: x.baseAddress!, clamp: y, mean: mean, inverseStd: invStd,
                            a: a, b: b, d: d, dInput: dx.baseAddress!, SeparateMultiplyAdd.self)
                    }
                }
            }
        }
        r.dGamma = dGammaSums
        r.dBeta = dBetaSums
        return r
    }

    @Test(arguments: TrainingKernelChoice.allCases, [1, 3, 8, 13, 24, 40])
    func kernelsMatchTheReference(kernels: TrainingKernelChoice, channels c: Int) throws {
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        for relu6 in [false, true] {
            // setup: channels with an offset far from zero (the one-pass variance must not cancel)
            var rng = SeededRandom(seed: UInt64(c))
            let rows = Int.random(in: 1...23, using: &rng) + 8
            let input = (0..<(rows * c)).map { i in 40 + Float(i % c) + rng.normal() * 2 }
            let dOutput = (0..<(rows * c)).map { _ in rng.normal() }
            // gamma ≈ 2, beta ≈ 3: about one output in thirteen below 0 and one above 6
            let gamma = (0..<c).map { _ in 2 + rng.normal() * 0.3 }, beta = (0..<c).map { _ in 3 + rng.normal() * 0.3 }
            // act
            let r = Self.run(
                input: input, dOutput: dOutput, rows: rows, channels: c, gamma: gamma, beta: beta, relu6: relu6,
                avx2: kernels == .avx2)
            // check: against the formulas in Double
            for ch in 0..<c {
                let column = (0..<rows).map { Double(input[$0 * c + ch]) }
                let mean = column.reduce(0, +) / Double(rows)
                let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)
                #expect(abs(Double(r.mean[ch]) - mean) < 1e-5 * abs(mean))
                #expect(abs(Double(r.variance[ch]) - variance) < 1e-4 * variance)
                let invStd = 1 / (variance + 1e-3).squareRoot()
                var dy = [Double](repeating: 0, count: rows), xhat = dy
                for row in 0..<rows {
                    xhat[row] = (column[row] - mean) * invStd
                    let y = Double(gamma[ch]) * xhat[row] + Double(beta[ch])
                    let expected = relu6 ? min(max(y, 0), 6) : y
                    #expect(abs(Double(r.output[row * c + ch]) - expected) < 1e-4 * max(1, abs(y)))
                    let passes = !relu6 || (r.output[row * c + ch] > 0 && r.output[row * c + ch] < 6)
                    dy[row] = passes ? Double(dOutput[row * c + ch]) : 0
                }
                let dBeta = dy.reduce(0, +), dGamma = zip(dy, xhat).map { $0 * $1 }.reduce(0, +)
                #expect(abs(Double(r.dBeta[ch]) - dBeta) < 1e-4 * max(1, abs(dBeta)))
                #expect(abs(Double(r.dGamma[ch]) - dGamma) < 1e-4 * max(1, abs(dGamma)))
                let a = Double(gamma[ch]) * invStd, m = Double(rows)
                for row in 0..<rows {
                    let dx = a * dy[row] - a * dBeta / m - xhat[row] * a * dGamma / m
                    #expect(abs(Double(r.dInput[row * c + ch]) - dx) < 1e-4 * max(1, abs(dx)))
                }
            }
        }
    }

    @Test("BatchNorm + ReLU6 fused in training gives the unfused gradients, and evaluation is unchanged")
    func fusedModelGivesTheUnfusedGradients() {
        // setup: conv → BN → ReLU6 → depthwise → BN → ReLU6 → head; one model fused, one not
        let architecture = Architecture(
            name: "fusion6", inputHeight: 9, inputWidth: 7, inputChannels: 1, classes: 3,
            layers: [
                .conv2d(filters: 16, kernel: 3, stride: 2, padding: .same, bias: false),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .depthwiseConv2d(kernel: 3, stride: 1, padding: .same, bias: false),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .globalAvgPool, .linear(units: 3, bias: true),
            ])
        let (fused, plain) = fusedAndPlainModels(architecture, seed: 4)
        var rng = SeededRandom(seed: 8)
        let input = randomTensor([4, 9, 7, 1], rng: &rng)
        // act
        let logits = fused.forward(input, training: true)
        let dLogits = randomTensor(logits.shape, rng: &rng)
        fused.backward(dLogits)
        var x = input
        var (atZero, atSix) = (0, 0)
        for layer in plain.layers {
            x = layer.forward(x, training: true)
            guard layer is ReLU6 else { continue }
            atZero += x.data.filter { $0 == 0 }.count
            atSix += x.data.filter { $0 == 6 }.count
        }
        var g = dLogits
        for layer in plain.layers.reversed() { g = layer.backward(g) }
        // check
        #expect((fused.layers[1] as? BatchNorm)?.fusedReLU6 == true)
        #expect(atZero > 0 && atSix > 0, "activations should reach both ends of the clamp")
        #expect(x.data == logits.data)
        for (a, b) in zip(fused.parameters, plain.parameters) {
            #expect(a.grad == b.grad)
            #expect(a.grad.contains { $0 != 0 })
        }
        #expect(fused.forward(input, training: false).data == plain.forward(input, training: false).data)
    }
}
