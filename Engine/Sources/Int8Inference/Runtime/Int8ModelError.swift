// Errors raised when a model is read or prepared: each names what is wrong and what to do.

/// Why a model cannot be prepared or read.
public enum Int8ModelError: Error, Equatable, CustomStringConvertible {
    /// An operator (or operator variant) the runtime does not implement.
    case unsupportedOperator(String)
    /// A tensor type or quantisation the runtime does not implement.
    case unsupported(String)
    /// The model is inconsistent (shapes, missing constants, bad indices).
    case invalid(String)

    public var description: String {
        switch self {
        case let .unsupportedOperator(name):
            "unsupported operator \(name): Minnow's int8 runtime supports CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, AVERAGE_POOL_2D, MEAN, RESHAPE, SOFTMAX, QUANTIZE and DEQUANTIZE"
        case let .unsupported(message): "unsupported model: \(message)"
        case let .invalid(message): "invalid model: \(message)"
        }
    }
}
