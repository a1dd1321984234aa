// Architecture: a model described as data (Codable), so it can be listed, stored with an
// iteration or a checkpoint and rebuilt into the same layers. Channel counts of each layer
// follow from the input spec; only output sizes are written down.

/// One layer as data. Hyper-parameters only; weights live in `Model`.
public enum LayerSpec: Codable, Sendable, Equatable {
    case conv2d(filters: Int, kernel: Int, stride: Int, padding: Padding, bias: Bool)
    case depthwiseConv2d(kernel: Int, stride: Int, padding: Padding, bias: Bool)
    case linear(units: Int, bias: Bool)
    case batchNorm(momentum: Float, epsilon: Float)
    case relu
    case relu6
    case maxPool(size: Int, stride: Int, padding: Padding)
    case avgPool(size: Int, stride: Int, padding: Padding)
    case globalAvgPool
    case dropout(rate: Float)
    case flatten
    case softmax

    /// Short kind name, e.g. `conv2d`.
    public var kind: String {
        switch self {
        case .conv2d: "conv2d"
        case .depthwiseConv2d: "depthwiseConv2d"
        case .linear: "linear"
        case .batchNorm: "batchNorm"
        case .relu: "relu"
        case .relu6: "relu6"
        case .maxPool: "maxPool"
        case .avgPool: "avgPool"
        case .globalAvgPool: "globalAvgPool"
        case .dropout: "dropout"
        case .flatten: "flatten"
        case .softmax: "softmax"
        }
    }
}

/// What a model predicts (not `Task`, which would hide Swift's concurrency `Task`).
public enum ModelTask: String, Codable, Sendable, CaseIterable {
    /// One class per image; output `(N, classes)` logits.
    case classification
    /// FOMO: one class per output cell, class 0 is background; output `(N, GH, GW, classes)` logits.
    case detection
}

/// A whole model as data.
public struct Architecture: Codable, Sendable, Equatable {
    /// Zoo name with options, e.g. `tiny-cnn`, `mobilenet-v1`.
    public var name: String
    public var task: ModelTask
    /// Input `(H, W, C)`.
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    /// Number of output classes (for detection, including background at index 0).
    public var classes: Int
    /// Layers in order; the last produces logits.
    public var layers: [LayerSpec]

    public init(
        name: String, task: ModelTask = .classification, inputHeight: Int, inputWidth: Int,
        inputChannels: Int, classes: Int, layers: [LayerSpec]
    ) {
        self.name = name
        self.task = task
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.classes = classes
        self.layers = layers
    }

    /// Input shape for a batch of `n`: `(n, H, W, C)`.
    public func inputShape(batch n: Int) -> [Int] { [n, inputHeight, inputWidth, inputChannels] }
}
