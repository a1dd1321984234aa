// The fast kernels equal the reference kernels bit for bit (tolerance 0) on random shapes,
// paddings, strides, dilations, zero points and multipliers — in both builds: portable and
// AVX2 (the latter where this CPU has it). Seeded: a failure replays with its seed.

@testable import Int8Inference
import Int8KernelsAVX2
import NeuralNet
import Testing

/// Every fast-kernel build, paired with each seed.
func fastBuilds(_ seeds: Range<Int>) -> [(KernelChoice, Int)] {
    [KernelChoice.portable, .avx2].flatMap { kernels in seeds.map { (kernels, $0) } }
}

@Suite struct KernelEquivalenceTests {
    @Test(arguments: fastBuilds(0..<40))
    func fastConvolutionEqualsReference(kernels: KernelChoice, seed: Int) throws {
        // setup
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        var rng = SeededRandom(seed: UInt64(seed))
        let (h, w, cin, cout) = (
            Int.random(in: 3...12, using: &rng), Int.random(in: 3...12, using: &rng),
            Int.random(in: 1...8, using: &rng),
            seed % 3 == 0 ? 8 * Int.random(in: 1...4, using: &rng) : Int.random(in: 1...8, using: &rng)
        )
        let (kh, kw) = (Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng))
        let stride = Int.random(in: 1...2, using: &rng), dilation = seed % 5 == 0 ? 2 : 1
        let padding: PaddingMode = seed % 2 == 0 ? .same : .valid
        let oh = convOutputSize(padding: padding, input: h, filter: kh, stride: stride, dilation: dilation)
        let ow = convOutputSize(padding: padding, input: w, filter: kw, stride: stride, dilation: dilation)
        guard oh > 0, ow > 0 else { return }
        let multipliers = (0..<cout).map { _ in QuantizedMultiplier(Double.random(in: 0.00001...0.001, using: &rng)) }
        let p = ConvParameters(
            batches: 2, inputHeight: h, inputWidth: w, inputChannels: cin, outputHeight: oh, outputWidth: ow,
            outputChannels: cout, filterHeight: kh, filterWidth: kw, strideHeight: stride, strideWidth: stride,
            dilationHeight: dilation, dilationWidth: dilation,
            padTop: convPadding(input: h, filter: kh, stride: stride, dilation: dilation, output: oh),
            padLeft: convPadding(input: w, filter: kw, stride: stride, dilation: dilation, output: ow),
            depthMultiplier: 1, inputOffset: Int32.random(in: -127...128, using: &rng),
            outputOffset: Int32.random(in: -20...20, using: &rng), activationMin: -128, activationMax: 127,
            multipliers: multipliers.map(\.multiplier), shifts: multipliers.map(\.shift))
        let input = (0..<(2 * h * w * cin)).map { _ in Int8.random(in: -128...127, using: &rng) }
        let filter = (0..<(cout * kh * kw * cin)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let bias = (0..<cout).map { _ in Int32.random(in: -5000...5000, using: &rng) }
        let offsets = conv2dChannelOffsets(filter: filter, outputChannels: cout, inputOffset: p.inputOffset, bias: bias)
        let pairs = pairedFilter(filter, outputChannels: cout)
        var reference = [Int8](repeating: 0, count: 2 * oh * ow * cout), fast = reference
        var patch = [Int16](repeating: 0, count: (kh * kw * cin + 1) / 2 * 2)
        var accumulators = [Int32](repeating: 0, count: cout)
        // act
        conv2dReference(p, input: input, filter: filter, bias: bias, output: &reference)
        if kernels == .avx2 {
            AVX2Kernels.conv2d(
                p, input: input, filterPairs: pairs, channelOffsets: offsets, patch: &patch,
                accumulators: &accumulators, output: &fast)
        } else {
            conv2dFast(
                p, input: input, filterPairs: pairs, channelOffsets: offsets, patch: &patch,
                accumulators: &accumulators, output: &fast)
        }
        // check
        #expect(fast == reference)
        #expect(Set(reference).count > 1)
    }

    @Test(arguments: fastBuilds(0..<20))
    func fastFullyConnectedEqualsReference(kernels: KernelChoice, seed: Int) throws {
        // setup
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        var rng = SeededRandom(seed: UInt64(seed))
        let (depth, units) = (Int.random(in: 1...64, using: &rng), Int.random(in: 1...16, using: &rng))
        let multipliers = (0..<(seed % 2 == 0 ? 1 : units)).map { _ in
            QuantizedMultiplier(Double.random(in: 0.001...0.2, using: &rng))
        }
        let p = FullyConnectedParameters(
            batches: 3, inputDepth: depth, outputDepth: units, inputOffset: Int32.random(in: -127...128, using: &rng),
            weightOffset: seed % 3 == 0 ? 0 : Int32.random(in: -10...10, using: &rng),
            outputOffset: Int32.random(in: -20...20, using: &rng), activationMin: -128, activationMax: 127,
            multipliers: multipliers.map(\.multiplier), shifts: multipliers.map(\.shift))
        let input = (0..<(3 * depth)).map { _ in Int8.random(in: -128...127, using: &rng) }
        let weights = (0..<(units * depth)).map { _ in Int8.random(in: -127...127, using: &rng) }
        var reference = [Int8](repeating: 0, count: 3 * units), fast = reference
        // act
        fullyConnectedReference(p, input: input, weights: weights, bias: nil, output: &reference)
        let sums = filterSums(weights, outputChannels: units)
        if kernels == .avx2 {
            AVX2Kernels.fullyConnected(p, input: input, weights: weights, weightSum: sums, bias: nil, output: &fast)
        } else {
            fullyConnectedFast(p, input: input, weights: weights, weightSum: sums, bias: nil, output: &fast)
        }
        // check
        #expect(fast == reference)
    }
}

@Suite struct PoolingEquivalenceTests {
    @Test(arguments: 0..<20)
    func fastMaxPoolEqualsReference(seed: Int) {
        // setup
        var rng = SeededRandom(seed: UInt64(seed))
        let (h, w, c) = (
            Int.random(in: 2...12, using: &rng), Int.random(in: 2...12, using: &rng), Int.random(in: 1...9, using: &rng)
        )
        let size = Int.random(in: 1...3, using: &rng), stride = Int.random(in: 1...2, using: &rng)
        let padding: PaddingMode = seed % 2 == 0 ? .same : .valid
        let oh = convOutputSize(padding: padding, input: h, filter: size, stride: stride, dilation: 1)
        let ow = convOutputSize(padding: padding, input: w, filter: size, stride: stride, dilation: 1)
        guard oh > 0, ow > 0 else { return }
        let p = PoolParameters(
            batches: 2, channels: c, inputHeight: h, inputWidth: w, outputHeight: oh, outputWidth: ow,
            filterHeight: size, filterWidth: size, strideHeight: stride, strideWidth: stride,
            padTop: convPadding(input: h, filter: size, stride: stride, dilation: 1, output: oh),
            padLeft: convPadding(input: w, filter: size, stride: stride, dilation: 1, output: ow),
            activationMin: seed % 3 == 0 ? -20 : -128, activationMax: seed % 4 == 0 ? 90 : 127)
        let input = (0..<(2 * h * w * c)).map { _ in Int8.random(in: -128...127, using: &rng) }
        var reference = [Int8](repeating: 0, count: 2 * oh * ow * c), fast = reference
        // act
        maxPoolReference(p, input: input, output: &reference)
        maxPoolFast(p, input: input, output: &fast)
        // check
        #expect(fast == reference)
    }
}

@Suite struct DepthwiseEquivalenceTests {
    @Test(arguments: fastBuilds(0..<30))
    func fastDepthwiseEqualsReference(kernels: KernelChoice, seed: Int) throws {
        // setup
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        var rng = SeededRandom(seed: UInt64(seed))
        let (h, w, c) = (
            Int.random(in: 3...12, using: &rng), Int.random(in: 3...12, using: &rng),
            Int.random(in: 1...24, using: &rng)
        )
        let k = Int.random(in: 1...3, using: &rng), stride = Int.random(in: 1...2, using: &rng),
            dilation = seed % 5 == 0 ? 2 : 1
        let padding: PaddingMode = seed % 2 == 0 ? .same : .valid
        let oh = convOutputSize(padding: padding, input: h, filter: k, stride: stride, dilation: dilation)
        let ow = convOutputSize(padding: padding, input: w, filter: k, stride: stride, dilation: dilation)
        guard oh > 0, ow > 0 else { return }
        let multipliers = (0..<c).map { _ in QuantizedMultiplier(Double.random(in: 0.0001...0.01, using: &rng)) }
        let p = ConvParameters(
            batches: 2, inputHeight: h, inputWidth: w, inputChannels: c, outputHeight: oh, outputWidth: ow,
            outputChannels: c, filterHeight: k, filterWidth: k, strideHeight: stride, strideWidth: stride,
            dilationHeight: dilation, dilationWidth: dilation,
            padTop: convPadding(input: h, filter: k, stride: stride, dilation: dilation, output: oh),
            padLeft: convPadding(input: w, filter: k, stride: stride, dilation: dilation, output: ow),
            depthMultiplier: 1, inputOffset: Int32.random(in: -127...128, using: &rng),
            outputOffset: Int32.random(in: -20...20, using: &rng), activationMin: -128, activationMax: 127,
            multipliers: multipliers.map(\.multiplier), shifts: multipliers.map(\.shift))
        let input = (0..<(2 * h * w * c)).map { _ in Int8.random(in: -128...127, using: &rng) }
        let filter = (0..<(k * k * c)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let bias = (0..<c).map { _ in Int32.random(in: -2000...2000, using: &rng) }
        var reference = [Int8](repeating: 0, count: 2 * oh * ow * c), fast = reference
        // act
        depthwiseConv2dReference(p, input: input, filter: filter, bias: seed % 4 == 0 ? nil : bias, output: &reference)
        if kernels == .avx2 {
            AVX2Kernels.depthwiseConv2d(
                p, input: input, filter: filter, bias: seed % 4 == 0 ? nil : bias, output: &fast)
        } else {
            depthwiseConv2dFast(p, input: input, filter: filter, bias: seed % 4 == 0 ? nil : bias, output: &fast)
        }
        // check
        #expect(fast == reference)
    }
}
