// Int8Model: a quantised model as a graph of TFLite-style operators over tensors.
//
// What it is: the in-memory form shared by the quantiser (which builds it), the `.tflite`
// reader and writer (module TFLite), the Swift runtime (`Int8Runtime`) and the C generator.
// Tensors are either constants (weights, biases, shapes) or activations living in an arena.
// What it is not: an executor; `Int8Runtime` validates and runs it.

import NeuralNet

/// Element type of a tensor (the subset of TFLite's `TensorType` the runtime handles).
public enum ElementType: String, Sendable, Equatable {
    case float32, int32, int8

    /// Bytes per element.
    public var size: Int { self == .int8 ? 1 : 4 }
}

/// Affine quantisation `real = scale · (q − zeroPoint)`; per-channel when `scales.count > 1`.
public struct Quantization: Sendable, Equatable {
    public var scales: [Float]
    public var zeroPoints: [Int32]
    /// Axis the per-channel scales run along (0 for conv OHWI, 3 for depthwise 1HWC).
    public var quantizedDimension: Int

    public init(scales: [Float], zeroPoints: [Int32], quantizedDimension: Int = 0) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.quantizedDimension = quantizedDimension
    }

    /// Per-tensor parameters.
    public init(scale: Float, zeroPoint: Int32) {
        self.init(scales: [scale], zeroPoints: [zeroPoint])
    }

    public var scale: Float { scales[0] }
    public var zeroPoint: Int32 { zeroPoints[0] }
}

/// Constant contents of a tensor.
public enum ConstantData: Sendable, Equatable {
    case int8([Int8])
    case int32([Int32])
    case float32([Float])

    public var count: Int {
        switch self {
        case let .int8(v): v.count
        case let .int32(v): v.count
        case let .float32(v): v.count
        }
    }
}

/// One tensor of the graph.
public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var type: ElementType
    public var shape: [Int]
    public var quantization: Quantization?
    /// Set for weights, biases and other constants; nil for activations.
    public var constant: ConstantData?

    public init(
        name: String, type: ElementType, shape: [Int], quantization: Quantization? = nil, constant: ConstantData? = nil
    ) {
        self.name = name
        self.type = type
        self.shape = shape
        self.quantization = quantization
        self.constant = constant
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { elementCount * type.size }
}

/// Fused activation of an operator (applied as a clamp in int8).
public enum FusedActivation: String, Sendable, Equatable {
    case none, relu, relu6
}

/// Spatial padding of convolutions and pooling (TensorFlow's SAME and VALID).
public enum PaddingMode: String, Sendable, Equatable {
    case same, valid
}

/// Window geometry shared by convolutions and pooling.
public struct Window: Sendable, Equatable {
    public var padding: PaddingMode
    public var strideHeight: Int
    public var strideWidth: Int
    /// Filter size for pooling; ignored by convolutions (their weights carry it).
    public var filterHeight: Int
    public var filterWidth: Int
    public var dilationHeight: Int
    public var dilationWidth: Int
    public var activation: FusedActivation

    public init(
        padding: PaddingMode, strideHeight: Int = 1, strideWidth: Int = 1, filterHeight: Int = 1,
        filterWidth: Int = 1, dilationHeight: Int = 1, dilationWidth: Int = 1, activation: FusedActivation = .none
    ) {
        self.padding = padding
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.filterHeight = filterHeight
        self.filterWidth = filterWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
        self.activation = activation
    }
}

/// The operators the runtime implements, with their options.
public enum Operator: Sendable, Equatable {
    /// Inputs: input, filter `(O, KH, KW, I)`, bias `(O)` or −1.
    case conv2d(Window)
    /// Inputs: input, filter `(1, KH, KW, C·M)`, bias or −1.
    case depthwiseConv2d(Window, depthMultiplier: Int)
    /// Inputs: input, weights `(O, I)`, bias or −1.
    case fullyConnected(FusedActivation)
    case maxPool2d(Window)
    case averagePool2d(Window)
    /// Inputs: input, axes (int32 constant).
    case mean(keepDims: Bool)
    /// Inputs: input and optionally a shape tensor; the output tensor's shape is used.
    case reshape
    case softmax(beta: Float)
    case quantize
    case dequantize

    /// TFLite's builtin operator name.
    public var name: String {
        switch self {
        case .conv2d: "CONV_2D"
        case .depthwiseConv2d: "DEPTHWISE_CONV_2D"
        case .fullyConnected: "FULLY_CONNECTED"
        case .maxPool2d: "MAX_POOL_2D"
        case .averagePool2d: "AVERAGE_POOL_2D"
        case .mean: "MEAN"
        case .reshape: "RESHAPE"
        case .softmax: "SOFTMAX"
        case .quantize: "QUANTIZE"
        case .dequantize: "DEQUANTIZE"
        }
    }
}

/// One operator application; tensor indices into `Int8Model.tensors` (−1 = absent optional input).
public struct Node: Sendable, Equatable {
    public var op: Operator
    public var inputs: [Int]
    public var outputs: [Int]

    public init(_ op: Operator, inputs: [Int], outputs: [Int]) {
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// A quantised model: tensors, operators in execution order, graph inputs and outputs,
/// and what a user of the model needs (labels, preprocessing).
public struct Int8Model: Sendable, Equatable {
    public var tensors: [TensorInfo]
    public var nodes: [Node]
    public var inputs: [Int]
    public var outputs: [Int]
    /// Class names, index = output channel (empty when unknown).
    public var labels: [String]
    /// How raw pixels become the (float) input; nil when unknown.
    public var preprocessing: Preprocessing?
    /// Free-form description stored in the `.tflite`.
    public var description: String

    public init(
        tensors: [TensorInfo], nodes: [Node], inputs: [Int], outputs: [Int],
        labels: [String] = [], preprocessing: Preprocessing? = nil, description: String = ""
    ) {
        self.tensors = tensors
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.labels = labels
        self.preprocessing = preprocessing
        self.description = description
    }

    /// The single input tensor.
    public var inputTensor: TensorInfo { tensors[inputs[0]] }
    /// The single output tensor.
    public var outputTensor: TensorInfo { tensors[outputs[0]] }
}
