// Layer: the contract every layer implements (forward and backward side by side), and
// Parameter, a named weight array with its gradient. Not an autograd graph: a Sequential
// model calls forward in order and backward in reverse.

/// A named float array the optimiser updates (trainable) or a layer keeps (buffers such as
/// batch-norm running statistics).
public final class Parameter {
    /// Stable name inside its layer, e.g. `weight`, `bias`, `gamma`, `runningMean`.
    public let name: String
    /// Shape of `value`; see each layer for the layout (Conv2d is HWIO).
    public let shape: [Int]
    /// The values, row-major.
    public var value: [Float]
    /// Gradient of the loss with respect to `value`, written by the last backward pass.
    public var grad: [Float]

    public init(name: String, shape: [Int], value: [Float]) {
        precondition(shape.reduce(1, *) == value.count, "Parameter \(name): shape/value mismatch")
        self.name = name
        self.shape = shape
        self.value = value
        self.grad = [Float](repeating: 0, count: value.count)
    }
}

/// One layer of a sequential model.
///
/// `forward` caches what `backward` needs when `training` is true. `backward` takes the
/// gradient of the loss with respect to the layer's output, *writes* (does not accumulate)
/// the gradients of the layer's parameters into `Parameter.grad`, and returns the gradient
/// with respect to the input (`dInput`).
public protocol Layer: AnyObject {
    /// The layer as data (kind and hyper-parameters).
    var spec: LayerSpec { get }
    /// Trainable parameters, in a stable order.
    var parameters: [Parameter] { get }
    /// Non-trainable state saved with checkpoints (e.g. batch-norm running statistics).
    var buffers: [Parameter] { get }
    /// Output shape for an input shape (batch dimension included).
    func outputShape(for inputShape: [Int]) -> [Int]
    /// Runs the layer; `training` selects batch statistics, dropout and caching for backward.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// Back-propagates `dOutput`; returns `dInput` (empty if `needsInputGradient` is false).
    func backward(_ dOutput: Tensor) -> Tensor
    /// False for the first layer, whose input gradient is never used.
    var needsInputGradient: Bool { get set }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }
}

/// Glorot-uniform initial values (Keras's default for kernels).
func glorotUniform(count: Int, fanIn: Int, fanOut: Int, rng: inout SeededRandom) -> [Float] {
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    return (0..<count).map { _ in rng.uniform(-limit, limit) }
}
