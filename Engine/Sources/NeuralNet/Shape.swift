// Shape-only and stochastic layers: Flatten (to (N, features)) and Dropout (inverted
// dropout: kept units scaled by 1 / (1 − rate) in training, identity in evaluation).

/// `(N, ...)` → `(N, product of the rest)`.
public final class Flatten: Layer {
    public var needsInputGradient = true
    private var inputShape: [Int] = []
    public init() {}
    public var spec: LayerSpec { .flatten }
    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape[0], inputShape.dropFirst().reduce(1, *)] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        return input.reshaped(outputShape(for: input.shape))
    }

    public func backward(_ dOutput: Tensor) -> Tensor { dOutput.reshaped(inputShape) }
}

/// Zeroes each element with probability `rate` in training; identity in evaluation.
public final class Dropout: Layer {
    public let rate: Float
    public var needsInputGradient = true
    /// Source of the masks; reseeded by `Model.reseed` so runs are reproducible.
    public var rng: SeededRandom
    private var mask: [Float] = []  // same count as the input: 0 or 1 / (1 − rate)

    public init(rate: Float, rng: SeededRandom) {
        precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1)")
        self.rate = rate
        self.rng = rng
    }

    public var spec: LayerSpec { .dropout(rate: rate) }
    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return input }
        let keep = 1 / (1 - rate)
        mask = (0..<input.count).map { _ in rng.uniform() < rate ? 0 : keep }
        var output = input
        for i in 0..<output.count { output.data[i] *= mask[i] }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard rate > 0 else { return dOutput }
        var dInput = dOutput
        for i in 0..<dInput.count { dInput.data[i] *= mask[i] }
        return dInput
    }
}
