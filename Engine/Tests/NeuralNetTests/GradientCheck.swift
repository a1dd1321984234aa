// Finite-difference gradient checking shared by the layer tests: the scalar loss is
// L = Σ output · R for a fixed random R, so dL/dOutput = R, and every analytic gradient
// (input, each parameter) is compared with a central difference of L computed in Double.

@testable import NeuralNet

struct GradientMismatch: CustomStringConvertible {
    var what: String
    var index: Int
    var analytic: Float
    var numeric: Double
    var description: String { "\(what)[\(index)]: analytic \(analytic) vs numeric \(numeric)" }
}

func randomTensor(_ shape: [Int], rng: inout SeededRandom, scale: Float = 1) -> Tensor {
    Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.normal() * scale })
}

/// Compares analytic and numeric gradients of `layer` at a random input; returns mismatches.
/// `prepare` runs before every forward (e.g. to reset a dropout mask's generator).
func gradientMismatches(
    _ layer: any Layer, inputShape: [Int], seed: UInt64 = 1, epsilon: Float = 1e-2,
    tolerance: Double = 2e-2, samples: Int = 40, prepare: () -> Void = {}
) -> [GradientMismatch] {
    var rng = SeededRandom(seed: seed)
    layer.needsInputGradient = true
    let input = randomTensor(inputShape, rng: &rng)
    prepare()
    let output = layer.forward(input, training: true)
    let r = randomTensor(output.shape, rng: &rng)
    let dInput = layer.backward(r)
    let analyticParameters = layer.parameters.map(\.grad)

    func loss(_ x: Tensor) -> Double {
        prepare()
        let y = layer.forward(x, training: true)
        var sum: Double = 0
        for i in 0..<y.count { sum += Double(y.data[i]) * Double(r.data[i]) }
        return sum
    }
    func check(_ what: String, count: Int, analytic: [Float], perturb: (Int, Float) -> Void) -> [GradientMismatch] {
        var local = SeededRandom(seed: seed &+ 7)
        let indices = count <= samples ? Array(0..<count) : (0..<samples).map { _ in local.int(count) }
        var bad: [GradientMismatch] = []
        for index in indices {
            perturb(index, epsilon)
            let plus = loss(input)
            perturb(index, -2 * epsilon)
            let minus = loss(input)
            perturb(index, epsilon)
            let numeric = (plus - minus) / Double(2 * epsilon)
            let a = Double(analytic[index])
            if abs(numeric - a) > tolerance * max(1, abs(numeric), abs(a)) {
                bad.append(GradientMismatch(what: what, index: index, analytic: analytic[index], numeric: numeric))
            }
        }
        return bad
    }

    var mismatches: [GradientMismatch] = []
    var x = input
    var local = SeededRandom(seed: seed &+ 3)
    let inputIndices = (0..<min(samples, x.count)).map { _ in local.int(x.count) }
    for index in inputIndices {
        x.data[index] += epsilon
        let plus = loss(x)
        x.data[index] -= 2 * epsilon
        let minus = loss(x)
        x.data[index] += epsilon
        let numeric = (plus - minus) / Double(2 * epsilon)
        let a = Double(dInput.data[index])
        if abs(numeric - a) > tolerance * max(1, abs(numeric), abs(a)) {
            mismatches.append(
                GradientMismatch(what: "dInput", index: index, analytic: dInput.data[index], numeric: numeric))
        }
    }
    for (parameter, analytic) in zip(layer.parameters, analyticParameters) {
        // Parameters are perturbed around the same input; `loss` closes over `input`.
        mismatches += check("d" + parameter.name, count: parameter.value.count, analytic: analytic) { i, delta in
            parameter.value[i] += delta
        }
    }
    return mismatches
}

/// The largest difference of `values` from a double-precision `reference`, relative to the
/// reference's largest magnitude.
func relativeError(_ values: [Float], _ reference: [Double]) -> Double {
    let scale = max(reference.map(abs).max() ?? 0, 1e-6)
    return zip(values, reference).map { abs(Double($0) - $1) }.max()! / scale
}
