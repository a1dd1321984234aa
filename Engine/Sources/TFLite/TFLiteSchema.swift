// Field ids and codes of the TFLite schema (version 3) that the reader and writer use.
// Ids are positions in the schema's tables; a union takes two ids (type, then value).

enum Schema {
    static let version: UInt32 = 3
    static let identifier = "TFL3"

    enum Model {
        static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4, metadata = 6, count = 7
    }
    enum OperatorCode { static let deprecatedBuiltinCode = 0, customCode = 1, version = 2, builtinCode = 3, count = 4 }
    enum SubGraph { static let tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4, count = 5 }
    enum Tensor { static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, count = 5 }
    enum Quantization {
        static let min = 0, max = 1, scale = 2, zeroPoint = 3, detailsType = 4, details = 5, quantizedDimension = 6,
            count = 7
    }
    enum Operator { static let opcodeIndex = 0, inputs = 1, outputs = 2, optionsType = 3, options = 4, count = 5 }
    enum Buffer { static let data = 0, count = 1 }
    enum Metadata { static let name = 0, buffer = 1, count = 2 }

    /// `TensorType` codes.
    static func typeCode(_ type: ElementType) -> UInt8 {
        switch type {
        case .float32: 0
        case .int32: 2
        case .int8: 9
        }
    }

    static func elementType(_ code: UInt8) -> ElementType? {
        switch code {
        case 0: .float32
        case 2: .int32
        case 9: .int8
        default: nil
        }
    }

    static let typeNames: [UInt8: String] = [
        0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8", 4: "INT64", 5: "STRING",
        6: "BOOL", 7: "INT16", 8: "COMPLEX64", 9: "INT8", 10: "FLOAT64",
    ]

    /// `BuiltinOperator` codes of the supported operators.
    enum Code {
        static let averagePool2d: Int32 = 1, conv2d: Int32 = 3, depthwiseConv2d: Int32 = 4, dequantize: Int32 = 6,
            fullyConnected: Int32 = 9, maxPool2d: Int32 = 17, reshape: Int32 = 22, softmax: Int32 = 25,
            mean: Int32 = 40, quantize: Int32 = 114
    }

    /// `BuiltinOptions` union type codes.
    enum Options {
        static let conv2d: UInt8 = 1, depthwiseConv2d: UInt8 = 2, pool2d: UInt8 = 5, fullyConnected: UInt8 = 8,
            softmax: UInt8 = 9, reshape: UInt8 = 17, reducer: UInt8 = 27, dequantize: UInt8 = 38, quantize: UInt8 = 89
    }

    /// `ActivationFunctionType` codes.
    static func activationCode(_ activation: FusedActivation) -> UInt8 {
        switch activation {
        case .none: 0
        case .relu: 1
        case .relu6: 3
        }
    }

    static func activation(_ code: UInt8) -> FusedActivation? {
        switch code {
        case 0: FusedActivation.none
        case 1: .relu
        case 3: .relu6
        default: nil
        }
    }

    /// Metadata names Minnow stores.
    static let labelsMetadata = "minnow_labels"
    static let preprocessingMetadata = "minnow_preprocessing"
}

@_exported import Int8Inference
