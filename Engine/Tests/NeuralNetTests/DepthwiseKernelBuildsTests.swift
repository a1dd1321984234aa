// The two builds of the depthwise convolution kernels (DepthwiseConvolution; portable and
// AVX2 + FMA) against a plain double-precision reference on random shapes — strides 1 and
// 2, same and valid padding, kernels 3 and 5, sizes smaller than the kernel's reach — and
// on MobileNet's maps, and the layer's kernel path against its plain loops.
import Testing
import TrainingKernels
import TrainingKernelsAVX2

@testable import NeuralNet

@Suite("Depthwise convolution kernel builds")
struct DepthwiseKernelBuildsTests {
    /// A random depthwise layer's sizes and values.
    struct Case {
        let geometry: ConvGeometry
        let channels: Int, images: Int
        var input: [Float]
        let weight: [Float], bias: [Float], dOutput: [Float]

        init(seed: Int) {
            var rng = SeededRandom(seed: UInt64(seed) &+ 100)
            let kernel = seed % 5 == 4 ? 5 : 3
            let stride = seed % 3 == 1 ? 2 : 1
            let (h, w) = (Int.random(in: 1...13, using: &rng), Int.random(in: 1...13, using: &rng))
            let padding: Padding = seed % 2 == 0 || h < kernel || w < kernel ? .same : .valid
            self.init(
                height: h, width: w, kernel: kernel, stride: stride, padding: padding, channels: [8, 16, 24][seed % 3],
                images: Int.random(in: 1...3, using: &rng), rng: &rng)
        }

        init(
            height h: Int, width w: Int, kernel: Int, stride: Int, padding: Padding, channels: Int, images: Int,
            rng: inout SeededRandom
        ) {
            geometry = ConvGeometry(
                inputShape: [1, h, w, 1], kernelSize: kernel, stride: stride, padding: padding)
            self.channels = channels
            self.images = images
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &rng) } }
            input = values(images * h * w * channels)
            weight = values(kernel * kernel * channels)
            bias = values(channels)
            dOutput = values(images * geometry.outputHeight * geometry.outputWidth * channels)
        }

        var kernels: DepthwiseConvolution { DepthwiseConvolution(geometry: geometry, channels: channels) }

        /// Output, dWeight, dBias and dInput in double precision.
        func reference() -> (output: [Double], dWeight: [Double], dBias: [Double], dInput: [Double]) {
            let g = geometry, c = channels
            var output = [Double](repeating: 0, count: dOutput.count)
            var dWeight = [Double](repeating: 0, count: weight.count), dBias = [Double](repeating: 0, count: c)
            var dInput = [Double](repeating: 0, count: input.count)
            for image in 0..<images {
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        for ch in 0..<c {
                            let o = ((image * g.outputHeight + oy) * g.outputWidth + ox) * c + ch
                            var sum = Double(bias[ch])
                            let d = Double(dOutput[o])
                            dBias[ch] += d
                            for ky in 0..<g.kernelHeight {
                                for kx in 0..<g.kernelWidth {
                                    let iy = oy * g.stride - g.padTop + ky, ix = ox * g.stride - g.padLeft + kx
                                    guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { continue }
                                    let i = ((image * g.inputHeight + iy) * g.inputWidth + ix) * c + ch
                                    let t = (ky * g.kernelWidth + kx) * c + ch
                                    sum += Double(input[i]) * Double(weight[t])
                                    dWeight[t] += Double(input[i]) * d
                                    dInput[i] += Double(weight[t]) * d
                                }
                            }
                            output[o] = sum
                        }
                    }
                }
            }
            return (output, dWeight, dBias, dInput)
        }

        /// The input as a batch norm + ReLU6 with per-channel `scale` and `shift` outputs it.
        func normalizedInput(scale: [Float], shift: [Float]) -> [Float] {
            input.enumerated().map { index, x in
                let ch = index % channels
                return min(max(x * scale[ch] + shift[ch], 0), 6)
            }
        }

        /// Output, dWeight, dBias and dInput from one build of the kernels; with
        /// `normalizing`, forward and the weight gradient read the input normalised.
        func run(
            avx2: Bool, normalizing: (scale: [Float], shift: [Float])? = nil
        ) -> (
            output: [Float], dWeight: [Float], dBias: [Float], dInput: [Float]
        ) {
            let scale = normalizing?.scale ?? [], shift = normalizing?.shift ?? []
            return scale.withUnsafeBufferPointer { scale in
                shift.withUnsafeBufferPointer { shift in
                    run(
                        avx2: avx2,
                        normalizing: normalizing == nil
                            ? nil : ClampedNormalization(scale: scale.baseAddress!, shift: shift.baseAddress!))
                }
            }
        }

        func run(
            avx2: Bool, normalizing n: ClampedNormalization?
        ) -> (
            output: [Float], dWeight: [Float], dBias: [Float], dInput: [Float]
        ) {
            var output = [Float](repeating: .nan, count: dOutput.count)
            var dWeight = [Float](repeating: 0, count: weight.count), dBias = [Float](repeating: 0, count: channels)
            var dInput = [Float](repeating: .nan, count: input.count)
            let k = kernels, all = 0..<images
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    bias.withUnsafeBufferPointer { b in
                        dOutput.withUnsafeBufferPointer { dy in
                            output.withUnsafeMutableBufferPointer { y in
                                dWeight.withUnsafeMutableBufferPointer { dw in
                                    dBias.withUnsafeMutableBufferPointer { db in
                                        dInput.withUnsafeMutableBufferPointer { dx in
                                            let (x, w, b, dy) = (
                                                x.baseAddress!, w.baseAddress!, b.baseAddress!, dy.baseAddress!
                                            )
                                            let (y, dw, db, dx) = (
                                                y.baseAddress!, dw.baseAddress!, db.baseAddress!, dx.baseAddress!
                                            )
                                            if avx2 {
                                                AVX2TrainingKernels.depthwiseForward(
                                                    k, input: x, weight: w, bias: b, images: all, output: y,
                                                    normalizing: n)
                                                AVX2TrainingKernels.depthwiseWeightGradient(
                                                    k, input: x, dOutput: dy, images: all, dWeight: dw, dBias: db,
                                                    normalizing: n)
                                                AVX2TrainingKernels.depthwiseInputGradient(
                                                    k, dOutput: dy, weight: w, images: all, dInput: dx)
                                            } else {
                                                k.forward(
                                                    input: x, weight: w, bias: b, images: all, output: y,
                                                    normalizing: n, SeparateMultiplyAdd.self)
                                                k.accumulateWeightGradient(
                                                    input: x, dOutput: dy, images: all, dWeight: dw, dBias: db,
                                                    normalizing: n, SeparateMultiplyAdd.self)
                                                k.inputGradient(
                                                    dOutput: dy, weight: w, images: all, dInput: dx,
                                                    SeparateMultiplyAdd.self)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return (output, dWeight, dBias, dInput)
        }
    }

    @Test(arguments: TrainingKernelChoice.allCases, 0..<30)
    func kernelsMatchTheReference(kernels: TrainingKernelChoice, seed: Int) throws {
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        // setup
        let c = Case(seed: seed)
        let expected = c.reference()
        // act
        let result = c.run(avx2: kernels == .avx2)
        // check
        let error: ([Float], [Double]) -> Double = relativeError
        #expect(error(result.output, expected.output) < 1e-5, "\(c.geometry)")
        #expect(error(result.dWeight, expected.dWeight) < 1e-5, "\(c.geometry)")
        #expect(error(result.dBias, expected.dBias) < 1e-5, "\(c.geometry)")
        #expect(error(result.dInput, expected.dInput) < 1e-5, "\(c.geometry)")
    }

    /// MobileNet's 3x3 depthwise maps (48 down to 3 pixels; the small ones are mostly edge
    /// pixels) and "valid" maps whose last row and column no window reaches.
    static let mobileNetMaps: [(size: Int, stride: Int, padding: Padding, channels: Int)] = [
        (48, 1, .same, 8), (48, 2, .same, 16), (24, 1, .same, 32), (12, 2, .same, 32), (6, 1, .same, 128),
        (3, 1, .same, 256), (6, 2, .same, 128), (8, 2, .valid, 8), (9, 2, .same, 16), (10, 1, .valid, 24),
    ]

    @Test(arguments: TrainingKernelChoice.allCases, mobileNetMaps.indices)
    func kernelsMatchTheReferenceOnMobileNetMaps(kernels: TrainingKernelChoice, map: Int) throws {
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        // setup
        let m = Self.mobileNetMaps[map]
        var rng = SeededRandom(seed: UInt64(map) + 7)
        let c = Case(
            height: m.size, width: m.size, kernel: 3, stride: m.stride, padding: m.padding, channels: m.channels,
            images: 2, rng: &rng)
        let expected = c.reference()
        // act
        let result = c.run(avx2: kernels == .avx2)
        // check
        let error: ([Float], [Double]) -> Double = relativeError
        #expect(error(result.output, expected.output) < 1e-5, "\(c.geometry)")
        #expect(error(result.dWeight, expected.dWeight) < 1e-5, "\(c.geometry)")
        #expect(error(result.dBias, expected.dBias) < 1e-5, "\(c.geometry)")
        #expect(error(result.dInput, expected.dInput) < 1e-5, "\(c.geometry)")
    }

    @Test(
        "A pending batch norm + ReLU6 applied by the 3x3 kernels equals normalising the input first",
        arguments: TrainingKernelChoice.allCases, mobileNetMaps.indices)
    func normalizedInputMatchesTheReference(kernels: TrainingKernelChoice, map: Int) throws {
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        // setup: scales and shifts that take values past both ends of the clamp
        let m = Self.mobileNetMaps[map]
        var rng = SeededRandom(seed: UInt64(map) + 70)
        let c = Case(
            height: m.size, width: m.size, kernel: 3, stride: m.stride, padding: m.padding, channels: m.channels,
            images: 2, rng: &rng)
        let scale = (0..<m.channels).map { _ in Float.random(in: 1...6, using: &rng) }
        let shift = (0..<m.channels).map { _ in Float.random(in: -2...5, using: &rng) }
        var normalized = c
        normalized.input = c.normalizedInput(scale: scale, shift: shift)
        #expect(normalized.input.contains(0) && normalized.input.contains(6))
        let expected = normalized.reference()
        // act
        let result = c.run(avx2: kernels == .avx2, normalizing: (scale, shift))
        // check
        let error: ([Float], [Double]) -> Double = relativeError
        #expect(error(result.output, expected.output) < 1e-5, "\(normalized.geometry)")
        #expect(error(result.dWeight, expected.dWeight) < 1e-5, "\(normalized.geometry)")
        #expect(error(result.dBias, expected.dBias) < 1e-5, "\(normalized.geometry)")
        #expect(error(result.dInput, expected.dInput) < 1e-5, "\(normalized.geometry)")
    }

    @Test("The layer's kernel path equals its plain loops", arguments: [1, 2])
    func layerKernelsEqualPlainLoops(stride: Int) {
        // setup: 16 channels take the kernels; the same layer with them disallowed runs the loops
        var rng = SeededRandom(seed: 21)
        let fast = DepthwiseConv2d(channels: 16, kernelSize: 3, stride: stride, padding: .same, rng: &rng)
        var rng2 = SeededRandom(seed: 21)
        let plain = DepthwiseConv2d(channels: 16, kernelSize: 3, stride: stride, padding: .same, rng: &rng2)
        plain.allowsKernels = false
        fast.bias!.value = (0..<16).map { Float($0) / 10 - 0.5 }
        plain.bias!.value = fast.bias!.value
        let input = randomTensor([3, 9, 7, 16], rng: &rng)
        // act
        let y = fast.forward(input, training: true), yPlain = plain.forward(input, training: true)
        let dOutput = randomTensor(y.shape, rng: &rng)
        let dx = fast.backward(dOutput), dxPlain = plain.backward(dOutput)
        // check
        func close(_ a: [Float], _ b: [Float]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
        }
        #expect(close(y.data, yPlain.data))
        #expect(close(dx.data, dxPlain.data))
        #expect(close(fast.weight.grad, plain.weight.grad))
        #expect(close(fast.bias!.grad, plain.bias!.grad))
    }
}
