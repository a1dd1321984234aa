// Properties of the fixed-point helpers (their bit-exactness against TFLite Micro is proved
// end to end in TFLiteTests): the multiplier encodes the real value to 31 bits, and the
// requantisation agrees with exact rational rounding to within the one unit that double
// rounding may add.

import Foundation
import Int8
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
            input.withUnsafeBufferPointer { i in output.withUnsafeMutableBufferPointer { softmaxReference(p, input: i.baseAddress!, output: $0.baseAddress!) } }
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
        var rng = SystemRandomNumberGenerator()
        for i in 0..<200_000 {
            // setup: multipliers across scales (shifts −31…+8) and accumulators across int32
            let q = i % 50 == 0 ? QuantizedMultiplier(multiplier: 0, shift: 0)
                : QuantizedMultiplier(Double.random(in: -24...3, using: &rng).exp2)
            let x = i % 3 == 0 ? Int32.random(in: Int32.min...Int32.max, using: &rng) : Int32.random(in: -(1 << 20)...(1 << 20), using: &rng)
            let boundedX = q.shift > 0 ? x >> Int32(q.shift) : x
            // act / check
            let shift = Int32(q.shift)
            #expect(requantizeNonNegative(boundedX, q.multiplier, leftShift: max(shift, 0), rightShift: max(-shift, 0))
                    == multiplyByQuantizedMultiplier(boundedX, q.multiplier, q.shift))
        }
    }
}

extension Double {
    /// 2 to the power of `self`.
    var exp2: Double { Foundation.exp2(self) }
}
