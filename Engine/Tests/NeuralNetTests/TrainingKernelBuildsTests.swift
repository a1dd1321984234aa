// The two builds of the training kernels (TrainingKernels, portable; TrainingKernelsAVX2,
// AVX2 + FMA) against a plain double-precision reference and against each other, on random
// shapes: the direct convolution and its weight gradient agree within float rounding (FMA
// rounds once where the portable build rounds twice); pooling and the ReLU kernels move or
// mask values without arithmetic and must agree bit for bit.
import NeuralNet
import Testing
import TrainingKernels
import TrainingKernelsAVX2

@Suite("Training kernel builds")
struct TrainingKernelBuildsTests {
    /// A random convolution layer's sizes and values.
    struct Case {
        let geometry: ConvGeometry
        let channels: Int, outputChannels: Int, images: Int
        let input: [Float], weight: [Float], bias: [Float], dOutput: [Float]

        init(seed: Int) {
            var rng = SeededRandom(seed: UInt64(seed))
            let channels = [1, 1, 3][seed % 3]
            let kernel = [1, 3, 3, 5][seed % 4]
            let stride = seed % 5 == 0 ? 2 : 1
            let (h, w) = (Int.random(in: kernel...14, using: &rng), Int.random(in: kernel...14, using: &rng))
            let same = seed % 2 == 0
            let (oh, ow) =
                same
                ? ((h + stride - 1) / stride, (w + stride - 1) / stride)
                : ((h - kernel) / stride + 1, (w - kernel) / stride + 1)
            let padTop = same ? max((oh - 1) * stride + kernel - h, 0) / 2 : 0
            let padLeft = same ? max((ow - 1) * stride + kernel - w, 0) / 2 : 0
            geometry = ConvGeometry(
                inputHeight: h, inputWidth: w, kernelHeight: kernel, kernelWidth: kernel, stride: stride,
                outputHeight: oh, outputWidth: ow, padTop: padTop, padLeft: padLeft)
            self.channels = channels
            outputChannels = [8, 16, 32][seed % 3]
            images = Int.random(in: 1...3, using: &rng)
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &rng) } }
            input = values(images * h * w * channels)
            weight = values(kernel * kernel * channels * outputChannels)
            bias = values(outputChannels)
            dOutput = values(images * oh * ow * outputChannels)
        }

        var direct: DirectConvolution {
            DirectConvolution(geometry: geometry, channels: channels, outputChannels: outputChannels)
        }
        var outputCount: Int { images * geometry.outputHeight * geometry.outputWidth * outputChannels }

        /// Input value of tap (ky, kx, ci) for output pixel (oy, ox) of `image`; 0 in the padding.
        func tap(_ image: Int, _ oy: Int, _ ox: Int, _ ky: Int, _ kx: Int, _ ci: Int) -> Double {
            let g = geometry
            let iy = oy * g.stride - g.padTop + ky, ix = ox * g.stride - g.padLeft + kx
            guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { return 0 }
            return Double(input[((image * g.inputHeight + iy) * g.inputWidth + ix) * channels + ci])
        }

        /// The layer's output (with ReLU) and weight/bias gradients, in double precision.
        func reference() -> (output: [Double], dWeight: [Double], dBias: [Double]) {
            let g = geometry
            var output = [Double](repeating: 0, count: outputCount)
            var dWeight = [Double](repeating: 0, count: weight.count),
                dBias = [Double](repeating: 0, count: outputChannels)
            for image in 0..<images {
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        let pixel = ((image * g.outputHeight + oy) * g.outputWidth + ox) * outputChannels
                        for co in 0..<outputChannels {
                            var sum = Double(bias[co])
                            let d = Double(dOutput[pixel + co])
                            dBias[co] += d
                            for ky in 0..<g.kernelHeight {
                                for kx in 0..<g.kernelWidth {
                                    for ci in 0..<channels {
                                        let t = (ky * g.kernelWidth + kx) * channels + ci
                                        let x = tap(image, oy, ox, ky, kx, ci)
                                        sum += x * Double(weight[t * outputChannels + co])
                                        dWeight[t * outputChannels + co] += x * d
                                    }
                                }
                            }
                            output[pixel + co] = max(sum, 0)
                        }
                    }
                }
            }
            return (output, dWeight, dBias)
        }
    }

    static func forward(_ c: Case, avx2: Bool) -> [Float] {
        var output = [Float](repeating: .nan, count: c.outputCount)
        c.input.withUnsafeBufferPointer { x in
            c.weight.withUnsafeBufferPointer { w in
                c.bias.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        let (x, w, b, y) = (x.baseAddress!, w.baseAddress!, b.baseAddress!, y.baseAddress!)
                        if avx2 {
                            AVX2TrainingKernels.directForward(
                                c.direct, input: x, weight: w, bias: b, relu: true, images: 0..<c.images, output: y)
                        } else {
                            c.direct.forward(
                                input: x, weight: w, bias: b, relu: true, images: 0..<c.images, output: y,
                                SeparateMultiplyAdd.self)
                        }
                    }
                }
            }
        }
        return output
    }

    static func weightGradient(_ c: Case, avx2: Bool) -> (dWeight: [Float], dBias: [Float]) {
        var dWeight = [Float](repeating: 0, count: c.weight.count),
            dBias = [Float](repeating: 0, count: c.outputChannels)
        c.input.withUnsafeBufferPointer { x in
            c.dOutput.withUnsafeBufferPointer { dy in
                dWeight.withUnsafeMutableBufferPointer { dw in
                    dBias.withUnsafeMutableBufferPointer { db in
                        let (x, dy, dw, db) = (x.baseAddress!, dy.baseAddress!, dw.baseAddress!, db.baseAddress!)
                        if avx2 {
                            AVX2TrainingKernels.directWeightGradient(
                                c.direct, input: x, dOutput: dy, images: 0..<c.images, dWeight: dw, dBias: db)
                        } else {
                            c.direct.accumulateWeightGradient(
                                input: x, dOutput: dy, images: 0..<c.images, dWeight: dw, dBias: db,
                                SeparateMultiplyAdd.self)
                        }
                    }
                }
            }
        }
        return (dWeight, dBias)
    }

    @Test(arguments: TrainingKernelChoice.allCases, 0..<24)
    func directConvolutionMatchesTheReference(kernels: TrainingKernelChoice, seed: Int) throws {
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        // setup
        let c = Case(seed: seed)
        let expected = c.reference()
        // act
        let output = Self.forward(c, avx2: kernels == .avx2)
        let (dWeight, dBias) = Self.weightGradient(c, avx2: kernels == .avx2)
        // check
        #expect(relativeError(output, expected.output) < 1e-5, "\(c.geometry)")
        #expect(relativeError(dWeight, expected.dWeight) < 1e-5, "\(c.geometry)")
        #expect(relativeError(dBias, expected.dBias) < 1e-5, "\(c.geometry)")
    }

    @Test(arguments: 0..<24)
    func directConvolutionBuildsAgree(seed: Int) throws {
        try #require(TrainingKernelChoice.avx2.isSupported, "this CPU cannot run the avx2 kernels")
        // setup
        let c = Case(seed: seed)
        // act
        let (portable, avx2) = (Self.forward(c, avx2: false), Self.forward(c, avx2: true))
        let (portableGradient, avx2Gradient) = (Self.weightGradient(c, avx2: false), Self.weightGradient(c, avx2: true))
        // check: equal up to the one rounding an FMA saves per multiply-add
        let scale = Double(portable.map(abs).max()! + 1)
        #expect(zip(portable, avx2).allSatisfy { abs(Double($0 - $1)) <= 1e-5 * scale })
        let gradientScale = Double(portableGradient.dWeight.map(abs).max()! + 1)
        #expect(
            zip(portableGradient.dWeight, avx2Gradient.dWeight).allSatisfy {
                abs(Double($0 - $1)) <= 1e-5 * gradientScale
            })
        #expect(portableGradient.dBias == avx2Gradient.dBias, "bias gradients only add")
        #expect(
            portable != avx2 || portableGradient.dWeight != avx2Gradient.dWeight || c.geometry.kernelHeight == 1,
            "the AVX2 build fuses multiply-adds, so some value should round differently")
    }

    @Test(arguments: 0..<12)
    func poolingAndReLUBuildsAreIdentical(seed: Int) throws {
        try #require(TrainingKernelChoice.avx2.isSupported, "this CPU cannot run the avx2 kernels")
        // setup: values with ties (few distinct levels) and odd sizes
        var rng = SeededRandom(seed: UInt64(seed))
        let (n, h, w, c) = (
            2, Int.random(in: 2...9, using: &rng), Int.random(in: 2...9, using: &rng), [8, 16, 24][seed % 3]
        )
        let input = (0..<(n * h * w * c)).map { _ in Float(Int.random(in: -3...3, using: &rng)) / 2 }
        let outputCount = n * (h / 2) * (w / 2) * c
        let dOutput = (0..<outputCount).map { _ in Float.random(in: -1...1, using: &rng) }
        func run(avx2: Bool) -> (pooled: [Float], winners: [Int32], dInput: [Float], relu: [Float], masked: [Float]) {
            var pooled = [Float](repeating: 0, count: outputCount), winners = [Int32](repeating: 0, count: outputCount)
            var dInput = [Float](repeating: .nan, count: input.count)
            var relu = input, masked = [Float](repeating: .nan, count: input.count)
            let gradient = input.map { $0 * 3 + 1 }
            input.withUnsafeBufferPointer { x in
                pooled.withUnsafeMutableBufferPointer { y in
                    winners.withUnsafeMutableBufferPointer { idx in
                        if avx2 {
                            AVX2TrainingKernels.maxPoolForward(
                                input: x.baseAddress!, height: h, width: w, channels: c, images: 0..<n,
                                output: y.baseAddress!, winners: idx.baseAddress!)
                        } else {
                            MaxPool2x2.forward(
                                input: x.baseAddress!, height: h, width: w, channels: c, images: 0..<n,
                                output: y.baseAddress!, winners: idx.baseAddress!)
                        }
                    }
                }
                dOutput.withUnsafeBufferPointer { dy in
                    winners.withUnsafeBufferPointer { idx in
                        dInput.withUnsafeMutableBufferPointer { dx in
                            if avx2 {
                                AVX2TrainingKernels.maxPoolBackward(
                                    dOutput: dy.baseAddress!, winners: idx.baseAddress!, height: h, width: w,
                                    channels: c,
                                    images: 0..<n, dInput: dx.baseAddress!)
                            } else {
                                MaxPool2x2.backward(
                                    dOutput: dy.baseAddress!, winners: idx.baseAddress!, height: h, width: w,
                                    channels: c,
                                    images: 0..<n, dInput: dx.baseAddress!)
                            }
                        }
                    }
                }
                gradient.withUnsafeBufferPointer { g in
                    masked.withUnsafeMutableBufferPointer { m in
                        if avx2 {
                            AVX2TrainingKernels.maskPositive(
                                gradient: g.baseAddress!, reference: x.baseAddress!, into: m.baseAddress!,
                                count: input.count - 3)
                        } else {
                            TrainingKernels.maskPositive(
                                gradient: g.baseAddress!, reference: x.baseAddress!, into: m.baseAddress!,
                                count: input.count - 3)
                        }
                    }
                }
            }
            relu.withUnsafeMutableBufferPointer { r in
                if avx2 {
                    AVX2TrainingKernels.reluInPlace(r.baseAddress!, count: input.count - 3)
                } else {
                    TrainingKernels.reluInPlace(r.baseAddress!, count: input.count - 3)
                }
            }
            return (pooled, winners, dInput, relu, masked)
        }
        // act
        let (portable, avx2) = (run(avx2: false), run(avx2: true))
        // check: identical, and right (first maximum wins; ReLU and the mask as defined)
        #expect(portable.pooled == avx2.pooled && portable.winners == avx2.winners)
        #expect(portable.dInput.map(\.bitPattern) == avx2.dInput.map(\.bitPattern))
        #expect(portable.relu == avx2.relu && portable.masked.map(\.bitPattern) == avx2.masked.map(\.bitPattern))
        #expect(
            portable.relu == input.enumerated().map { $0.offset < input.count - 3 ? max($0.element, 0) : $0.element })
        for image in 0..<n {
            for oy in 0..<(h / 2) {
                for ox in 0..<(w / 2) {
                    for ch in 0..<c {
                        let corners = [(0, 0), (0, 1), (1, 0), (1, 1)].map {
                            ((image * h + 2 * oy + $0.0) * w + 2 * ox + $0.1) * c + ch
                        }
                        let best = corners.map { input[$0] }.max()!
                        let first = corners.first { input[$0] == best }!
                        let o = ((image * (h / 2) + oy) * (w / 2) + ox) * c + ch
                        #expect(avx2.pooled[o] == best && Int(avx2.winners[o]) == first - image * h * w * c)
                        #expect(avx2.dInput[first] == dOutput[o])
                    }
                }
            }
        }
    }
}
