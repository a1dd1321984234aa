// Operator codes, versions and builtin options as the TFLite schema lays them out.

extension TFLiteWriter {
    static func builtinCode(_ op: Operator) -> Int32 {
        switch op {
        case .conv2d: Schema.Code.conv2d
        case .depthwiseConv2d: Schema.Code.depthwiseConv2d
        case .fullyConnected: Schema.Code.fullyConnected
        case .maxPool2d: Schema.Code.maxPool2d
        case .averagePool2d: Schema.Code.averagePool2d
        case .mean: Schema.Code.mean
        case .reshape: Schema.Code.reshape
        case .softmax: Schema.Code.softmax
        case .quantize: Schema.Code.quantize
        case .dequantize: Schema.Code.dequantize
        }
    }

    /// Operator versions TensorFlow's converter writes for int8 kernels.
    static func version(of code: Int32) -> Int32 {
        switch code {
        case Schema.Code.conv2d, Schema.Code.depthwiseConv2d: 3
        case Schema.Code.fullyConnected: 4
        case Schema.Code.reshape: 1
        default: 2
        }
    }

    static func options(_ op: Operator) -> (UInt8, FlatBufferValue?) {
        func padding(_ mode: PaddingMode) -> FlatBufferField { .uint8(mode == .same ? 0 : 1) }
        func activation(_ a: FusedActivation) -> FlatBufferField { .uint8(Schema.activationCode(a)) }
        switch op {
        case let .conv2d(w):
            return (
                Schema.Options.conv2d,
                .table([
                    padding(w.padding), .int32(Int32(w.strideWidth)), .int32(Int32(w.strideHeight)),
                    activation(w.activation), .int32(Int32(w.dilationWidth)), .int32(Int32(w.dilationHeight)),
                ])
            )
        case let .depthwiseConv2d(w, multiplier):
            return (
                Schema.Options.depthwiseConv2d,
                .table([
                    padding(w.padding), .int32(Int32(w.strideWidth)), .int32(Int32(w.strideHeight)),
                    .int32(Int32(multiplier)), activation(w.activation),
                    .int32(Int32(w.dilationWidth)), .int32(Int32(w.dilationHeight)),
                ])
            )
        case let .maxPool2d(w), let .averagePool2d(w):
            return (
                Schema.Options.pool2d,
                .table([
                    padding(w.padding), .int32(Int32(w.strideWidth)), .int32(Int32(w.strideHeight)),
                    .int32(Int32(w.filterWidth)), .int32(Int32(w.filterHeight)), activation(w.activation),
                ])
            )
        case let .fullyConnected(a):
            return (Schema.Options.fullyConnected, .table([activation(a), .uint8(0), .uint8(0)]))
        case let .softmax(beta):
            return (Schema.Options.softmax, .table([.float(beta)]))
        case .reshape:
            return (Schema.Options.reshape, nil)
        case let .mean(keepDims):
            return (Schema.Options.reducer, .table([.uint8(keepDims ? 1 : 0)]))
        case .quantize, .dequantize:
            return (0, nil)
        }
    }
}
