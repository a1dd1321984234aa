// The Winograd F(4×4, 3×3) convolution (WinogradConvolution, both kernel builds) against a
// double-precision reference of the 3x3 convolution, its input gradient and its weight
// gradient, on random sizes (outputs that are not multiples of 4, so partial tiles; valid and same
// padding; channel and filter counts that are one, two, three and five groups of eight);
// then the layer: Conv2d on the Winograd path equals its im2col path and passes the finite
// difference check.
@testable import NeuralNet
import Testing
import TrainingKernels
import TrainingKernelsAVX2

@Suite("Winograd convolution")
struct WinogradConvolutionTests {
    /// A random 3x3 stride-1 convolution's sizes and values.
    struct Case {
        let geometry: ConvGeometry
        let channels: Int, outputChannels: Int, images: Int
        let input: [Float], weight: [Float], bias: [Float], dOutput: [Float]

        init(seed: Int) {
            var rng = SeededRandom(seed: UInt64(100 + seed))
            let (h, w) = (Int.random(in: 3...13, using: &rng), Int.random(in: 3...13, using: &rng))
            let same = seed % 2 == 0
            let (oh, ow) = same ? (h, w) : (h - 2, w - 2)
            geometry = ConvGeometry(
                inputHeight: h, inputWidth: w, kernelHeight: 3, kernelWidth: 3, stride: 1, outputHeight: oh,
                outputWidth: ow, padTop: same ? 1 : 0, padLeft: same ? 1 : 0)
            channels = [8, 16, 24][seed % 3]
            outputChannels = [8, 16, 32, 40][seed % 4]
            images = Int.random(in: 1...5, using: &rng)
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &rng) } }
            input = values(images * h * w * channels)
            weight = values(9 * channels * outputChannels)
            bias = values(outputChannels)
            dOutput = values(images * oh * ow * outputChannels)
        }

        var winograd: WinogradConvolution {
            WinogradConvolution(geometry: geometry, channels: channels, outputChannels: outputChannels)
        }

        /// Output (bias, no activation), input gradient and weight gradient, in double precision.
        func reference() -> (output: [Double], dInput: [Double], dWeight: [Double]) {
            let g = geometry
            var output = [Double](repeating: 0, count: dOutput.count)
            var dInput = [Double](repeating: 0, count: input.count)
            var dWeight = [Double](repeating: 0, count: weight.count)
            for image in 0..<images {
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        let pixel = ((image * g.outputHeight + oy) * g.outputWidth + ox) * outputChannels
                        for co in 0..<outputChannels {
                            var sum = Double(bias[co])
                            let d = Double(dOutput[pixel + co])
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let iy = oy - g.padTop + ky, ix = ox - g.padLeft + kx
                                    guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { continue }
                                    let at = ((image * g.inputHeight + iy) * g.inputWidth + ix) * channels
                                    for ci in 0..<channels {
                                        let w = ((ky * 3 + kx) * channels + ci) * outputChannels + co
                                        sum += Double(input[at + ci]) * Double(weight[w])
                                        dInput[at + ci] += d * Double(weight[w])
                                        dWeight[w] += d * Double(input[at + ci])
                                    }
                                }
                            }
                            output[pixel + co] = sum
                        }
                    }
                }
            }
            return (output, dInput, dWeight)
        }

        /// The kernels' output, input gradient and weight gradient, run as `workers` chunks of the batch.
        func run(avx2: Bool, workers: Int = 1) -> (output: [Float], dInput: [Float], dWeight: [Float]) {
            let w = winograd
            var transformed = [Float](repeating: 0, count: w.transformedWeightCount)
            weight.withUnsafeBufferPointer { w.transformWeights($0.baseAddress!, into: &transformed) }
            var output = [Float](repeating: .nan, count: dOutput.count)
            var dInput = [Float](repeating: .nan, count: input.count)
            var dWeight = [Float](repeating: 0, count: weight.count)
            var scratch = [Float](repeating: .nan, count: w.scratchCount)
            for worker in 0..<workers {
                let images = (images * worker / workers)..<(images * (worker + 1) / workers)
                var partial = [Float](repeating: .nan, count: weight.count)
                if avx2 {
                    AVX2TrainingKernels.winogradForward(
                        w, input: input, transformedWeight: transformed, bias: bias, relu: false, images: images,
                        output: &output, scratch: &scratch)
                    AVX2TrainingKernels.winogradBackward(
                        w, input: input, dOutput: dOutput, transformedWeight: transformed, images: images,
                        dWeight: &partial, dInput: &dInput, scratch: &scratch)
                } else {
                    w.forward(
                        input: input, transformedWeight: transformed, bias: bias, relu: false, images: images,
                        output: &output, scratch: &scratch, SeparateMultiplyAdd.self)
                    w.backward(
                        input: input, dOutput: dOutput, transformedWeight: transformed, images: images,
                        dWeight: &partial, dInput: &dInput, scratch: &scratch, SeparateMultiplyAdd.self)
                }
                for i in dWeight.indices { dWeight[i] += partial[i] }
            }
            return (output, dInput, dWeight)
        }
    }

    @Test(arguments: TrainingKernelChoice.allCases, 0..<16)
    func matchesTheReference(kernels: TrainingKernelChoice, seed: Int) throws {
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        // setup
        let c = Case(seed: seed)
        let expected = c.reference()
        // act
        let result = c.run(avx2: kernels == .avx2, workers: seed % 3 == 0 ? 2 : 1)
        // check
        #expect(relativeError(result.output, expected.output) < 2e-5, "\(c.geometry)")
        #expect(relativeError(result.dInput, expected.dInput) < 2e-5, "\(c.geometry)")
        #expect(relativeError(result.dWeight, expected.dWeight) < 2e-5, "\(c.geometry)")
    }

    @Test("a batch larger than one block of images, with partial tiles")
    func batchesLargerThanABlock() {
        // setup: 20 images of 13x13 (3x3 tiles, the last row and column partial): more than one block
        var rng = SeededRandom(seed: 7)
        let geometry = ConvGeometry(
            inputHeight: 13, inputWidth: 13, kernelHeight: 3, kernelWidth: 3, stride: 1, outputHeight: 11,
            outputWidth: 11, padTop: 0, padLeft: 0)
        let w = WinogradConvolution(geometry: geometry, channels: 16, outputChannels: 32)
        #expect(w.blockImages < 20)
        var rngA = SeededRandom(seed: 8), rngB = SeededRandom(seed: 8)
        let winograd = Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, rng: &rngA)
        let im2col = Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, rng: &rngB)
        im2col.allowsWinograd = false
        let x = randomTensor([20, 13, 13, 16], rng: &rng)
        // act
        let y = winograd.forward(x, training: true), yReference = im2col.forward(x, training: true)
        let r = randomTensor(y.shape, rng: &rng)
        let dx = winograd.backward(r), dxReference = im2col.backward(r)
        // check
        #expect(Self.difference(y.data, yReference.data) < 2e-5)
        #expect(Self.difference(dx.data, dxReference.data) < 2e-5)
        #expect(Self.difference(winograd.weight.grad, im2col.weight.grad) < 2e-5)
    }

    /// The largest difference between `a` and `reference`, relative to the reference's largest magnitude (at least 1).
    static func difference(_ a: [Float], _ reference: [Float]) -> Float {
        guard a.count == reference.count else { return .infinity }
        let scale = max(reference.map(abs).max() ?? 0, 1)
        return zip(a, reference).map { abs($0 - $1) }.max()! / scale
    }

    @Test("Conv2d on the Winograd path equals the im2col path (output and every gradient), with a fused ReLU")
    func layerEqualsIm2col() {
        for (padding, relu, shape) in [(Padding.valid, true, [5, 13, 13, 16]), (.same, false, [3, 9, 6, 8])] {
            // setup
            var rngA = SeededRandom(seed: 14), rngB = SeededRandom(seed: 14)
            let c = shape[3]
            let winograd = Conv2d(inputChannels: c, outputChannels: 32, kernelSize: 3, padding: padding, rng: &rngA)
            let im2col = Conv2d(inputChannels: c, outputChannels: 32, kernelSize: 3, padding: padding, rng: &rngB)
            im2col.allowsWinograd = false
            winograd.fusedReLU = relu
            im2col.fusedReLU = relu
            let x = randomTensor(shape, rng: &rngA)
            // act
            let y = winograd.forward(x, training: true), yReference = im2col.forward(x, training: true)
            let r = randomTensor(y.shape, rng: &rngA)
            let dx = winograd.backward(r), dxReference = im2col.backward(r)
            // check
            #expect(Self.difference(y.data, yReference.data) < 2e-5, "\(padding)")
            #expect(Self.difference(dx.data, dxReference.data) < 2e-5, "\(padding)")
            #expect(Self.difference(winograd.weight.grad, im2col.weight.grad) < 2e-5, "\(padding)")
            #expect(Self.difference(winograd.bias!.grad, im2col.bias!.grad) < 2e-5, "\(padding)")
        }
    }

    @Test("Conv2d on the Winograd path: analytic gradients equal finite differences")
    func finiteDifferences() {
        for padding in [Padding.valid, .same] {
            var rng = SeededRandom(seed: 15)
            let layer = Conv2d(inputChannels: 8, outputChannels: 8, kernelSize: 3, padding: padding, rng: &rng)
            #expect(gradientMismatches(layer, inputShape: [2, 7, 6, 8]).isEmpty, "\(padding)")
        }
    }
}
