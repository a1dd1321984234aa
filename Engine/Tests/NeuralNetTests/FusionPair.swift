// Two copies of one model for the fusion tests: `fused` trains with BatchNorm + ReLU6 fused (the
// default), `plain` runs every layer on its own. Every batch norm gets gamma 3 and beta 3, so
// outputs pass both ends of the ReLU6 clamp.
@testable import NeuralNet

func fusedAndPlainModels(_ architecture: Architecture, seed: UInt64) -> (fused: Model, plain: Model) {
    let fused = Model(architecture: architecture, seed: seed)
    let plain = Model(architecture: architecture, seed: seed)
    for layer in plain.layers { (layer as? BatchNorm)?.fusedReLU6 = false }
    for norm in (fused.layers + plain.layers).compactMap({ $0 as? BatchNorm }) {
        norm.gamma.value = [Float](repeating: 3, count: norm.channels)
        norm.beta.value = [Float](repeating: 3, count: norm.channels)
    }
    return (fused, plain)
}
