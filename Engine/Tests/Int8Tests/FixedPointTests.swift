// Properties of the fixed-point helpers (their bit-exactness against TFLite Micro is proved
// end to end in TFLiteTests): the multiplier encodes the real value to 31 bits, and the
// requantisation agrees with exact rational rounding to within the one unit that double
// rounding may add.

import Foundation
import Int8Inference
import Int8KernelsAVX2
import NeuralNet
import Testing

@Suite struct FixedPointTests {
    @Test func quantizedMultiplierEncodesTheRealValue() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // setup
            let real = Double.random(in: -20...6, using: &rng)
            let value = pow(2, real)
            // act
            let q = QuantizedMultiplier(value)
            // check
            let decoded = Double(q.multiplier) * pow(2, Double(q.shift - 31))
            #expect(q.multiplier >= 1 << 30)
            #expect(abs(decoded - value) / value < pow(2, -30))
        }
    }

    @Test func requantisationRoundsToNearest() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            // setup
            let q = QuantizedMultiplier(Double.random(in: 0.0001...0.9, using: &rng))
            let x = Int32.random(in: -(1 << 22)...(1 << 22), using: &rng)
            // act
            let result = multiplyByQuantizedMultiplier(x, q.multiplier, q.shift)
            // check
            let exact = Double(x) * Double(q.multiplier) * pow(2, Double(q.shift - 31))
            #expect(abs(Double(result) - exact) <= 1.0, "x=\(x) m=\(q.multiplier) s=\(q.shift)")
        }
    }

    @Test func roundingDivideByPowerOfTwoBreaksTiesAwayFromZero() {
        for x in Int32(-64)...64 {
            for exponent in 0..<5 {
                let exact = Double(x) / Double(1 << exponent)
                #expect(Double(roundingDivideByPOT(x, exponent)) == exact.rounded(.toNearestOrAwayFromZero))
            }
        }
    }

    @Test func softmaxProbabilitiesSumToOne() {
        // setup: logits at scale 0.1
        var rng = SystemRandomNumberGenerator()
        let p = SoftmaxParameters(rows: 1, depth: 10, beta: 1, inputScale: 0.1)
        for _ in 0..<200 {
            let input = (0..<10).map { _ in Int8.random(in: -128...127, using: &rng) }
            var output = [Int8](repeating: 0, count: 10)
            // act
            input.withUnsafeBufferPointer { i in
                output.withUnsafeMutableBufferPointer {
                    softmaxReference(p, input: i.baseAddress!, output: $0.baseAddress!)
                }
            }
            // check against float softmax
            let exps = input.map { exp(0.1 * Double(Int($0) - Int(input.max()!))) }
            let total = exps.reduce(0, +)
            for (value, e) in zip(output, exps) {
                #expect(abs((Double(value) + 128) / 256 - e / total) <= 1.5 / 256)
            }
        }
    }
}

@Suite struct FastRequantisationTests {
    @Test func nonNegativeFormEqualsReference() {
        var rng = SeededRandom(seed: 20261206)
        for i in 0..<200_000 {
            // setup: multipliers across scales (shifts −31…+8) and accumulators across int32
            let q =
                i % 50 == 0
                ? QuantizedMultiplier(multiplier: 0, shift: 0)
                : QuantizedMultiplier(Double.random(in: -24...3, using: &rng).exp2)
            let x =
                i % 3 == 0
                ? Int32.random(in: Int32.min...Int32.max, using: &rng)
                : Int32.random(in: -(1 << 20)...(1 << 20), using: &rng)
            let boundedX = q.shift > 0 ? x >> Int32(q.shift) : x
            // act / check
            let shift = Int32(q.shift)
            #expect(
                requantizeNonNegative(boundedX, q.multiplier, leftShift: max(shift, 0), rightShift: max(-shift, 0))
                    == multiplyByQuantizedMultiplier(boundedX, q.multiplier, q.shift))
        }
    }

    @Test(arguments: KernelChoice.allCases.filter { $0 != .reference })
    func eightChannelsEqualOneByOne(kernels: KernelChoice) throws {
        try #require(kernels.isSupported, "this CPU cannot run the \(kernels) kernels")
        var rng = SeededRandom(seed: 7)
        for round in 0..<20_000 {
            // setup: eight channels with their own multipliers and shifts (−31…+8), a clamp
            let multipliers = (0..<8).map { lane in
                round % 50 == lane
                    ? QuantizedMultiplier(multiplier: 0, shift: 0)
                    : QuantizedMultiplier(Double.random(in: -24...3, using: &rng).exp2)
            }
            let values = (0..<8).map { lane -> Int32 in
                let x =
                    round % 3 == 0
                    ? Int32.random(in: Int32.min...Int32.max, using: &rng)
                    : Int32.random(in: -(1 << 20)...(1 << 20), using: &rng)
                return multipliers[lane].shift > 0 ? x >> Int32(multipliers[lane].shift) : x
            }
            let p = ConvParameters.channels(
                multipliers, outputOffset: Int32.random(in: -128...127, using: &rng),
                activationMin: round % 4 == 0 ? -128 : -100, activationMax: round % 5 == 0 ? 127 : 90)
            // act
            let eight = p.withRequantizer { r in requantizeEight(values, channel: 0, with: r, kernels: kernels) }
            // check
            let expected = (0..<8).map { lane in
                Int8(
                    min(
                        max(
                            multiplyByQuantizedMultiplier(
                                values[lane], multipliers[lane].multiplier, multipliers[lane].shift) &+ p.outputOffset,
                            p.activationMin), p.activationMax))
            }
            #expect(eight == expected, "round \(round)")
        }
    }
}

/// Eight values through the requantiser of the chosen kernel build.
private func requantizeEight(
    _ values: [Int32], channel: Int, with requantizer: ChannelRequantizer, kernels: KernelChoice
) -> [Int8] {
    let lanes = SIMD8<Int32>(values)
    let result =
        kernels == .avx2
        ? AVX2Kernels.requantize(lanes, channel: channel, with: requantizer)
        : requantizer.eight(lanes, channel: channel)
    return (0..<8).map { result[$0] }
}

extension ConvParameters {
    /// Parameters that only carry requantisation: one channel per multiplier.
    static func channels(
        _ multipliers: [QuantizedMultiplier], outputOffset: Int32, activationMin: Int32, activationMax: Int32
    ) -> ConvParameters {
        ConvParameters(
            batches: 1, inputHeight: 1, inputWidth: 1, inputChannels: multipliers.count, outputHeight: 1,
            outputWidth: 1,
            outputChannels: multipliers.count, filterHeight: 1, filterWidth: 1, strideHeight: 1, strideWidth: 1,
            dilationHeight: 1, dilationWidth: 1, padTop: 0, padLeft: 0, depthMultiplier: 1, inputOffset: 0,
            outputOffset: outputOffset, activationMin: activationMin, activationMax: activationMax,
            multipliers: multipliers.map(\.multiplier), shifts: multipliers.map(\.shift))
    }
}

extension Double {
    /// 2 to the power of `self`.
    var exp2: Double { Foundation.exp2(self) }
}
