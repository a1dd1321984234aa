// Reading one tensor and one operator's options from their FlatBuffer tables.

import BinaryFormats
import NeuralNet

extension TFLiteReader {
    static func readTensor(
        _ tensor: FlatBufferTable, index: Int,
        bufferBytes: (Int) throws -> ArraySlice<UInt8>?
    ) throws -> TensorInfo {
        let name = try tensor.string(Schema.Tensor.name) ?? "tensor\(index)"
        let code = try tensor.scalar(Schema.Tensor.type, default: UInt8(0))
        guard let type = Schema.elementType(code) else {
            throw Int8ModelError.unsupported(
                "tensor '\(name)' has type \(Schema.typeNames[code] ?? "code \(code)"); Minnow's runtime handles INT8, INT32 and FLOAT32"
            )
        }
        let shape = try tensor.integers(Schema.Tensor.shape, as: Int32.self).map(Int.init)
        var quantization: Quantization?
        if let q = try tensor.table(Schema.Tensor.quantization) {
            let scales = try q.floats(Schema.Quantization.scale)
            let zeroPoints = try q.integers(Schema.Quantization.zeroPoint, as: Int64.self).map { Int32(clamping: $0) }
            if !scales.isEmpty {
                quantization = Quantization(
                    scales: scales,
                    zeroPoints: zeroPoints.isEmpty ? [Int32](repeating: 0, count: scales.count) : zeroPoints,
                    quantizedDimension: Int(try q.scalar(Schema.Quantization.quantizedDimension, default: Int32(0))))
            }
        }
        var constant: ConstantData?
        if let data = try bufferBytes(Int(try tensor.scalar(Schema.Tensor.buffer, default: UInt32(0)))) {
            let count = shape.reduce(1, *)
            guard data.count == count * type.size else {
                throw Int8ModelError.invalid("tensor '\(name)' has \(data.count) bytes of data for shape \(shape)")
            }
            let bytes = Array(data)
            switch type {
            case .int8: constant = .int8(bytes.map { Int8(bitPattern: $0) })
            case .int32: constant = .int32(littleEndianWords(bytes).map { Int32(bitPattern: $0) })
            case .float32: constant = .float32(littleEndianWords(bytes).map { Float(bitPattern: $0) })
            }
        }
        return TensorInfo(name: name, type: type, shape: shape, quantization: quantization, constant: constant)
    }

    static func littleEndianWords(_ bytes: [UInt8]) -> [UInt32] {
        stride(from: 0, to: bytes.count - 3, by: 4).map { bytes.littleEndian(UInt32.self, at: $0) }
    }

    static func readOperator(code: Int32, options: FlatBufferTable?) throws -> Operator {
        let name = builtinOperatorNames[code] ?? "builtin code \(code)"
        func activation(_ id: Int) throws -> FusedActivation {
            let value = try options?.scalar(id, default: UInt8(0)) ?? 0
            guard let activation = Schema.activation(value) else {
                throw Int8ModelError.unsupported(
                    "\(name) with fused activation code \(value) (only NONE, RELU and RELU6)")
            }
            return activation
        }
        func int(_ id: Int, _ fallback: Int32) throws -> Int {
            Int(try options?.scalar(id, default: fallback) ?? fallback)
        }
        func padding() throws -> PaddingMode { try options?.scalar(0, default: UInt8(0)) == 1 ? .valid : .same }
        switch code {
        case Schema.Code.conv2d:
            return .conv2d(
                Window(
                    padding: try padding(), strideHeight: try int(2, 1), strideWidth: try int(1, 1),
                    dilationHeight: try int(5, 1), dilationWidth: try int(4, 1), activation: try activation(3)))
        case Schema.Code.depthwiseConv2d:
            return .depthwiseConv2d(
                Window(
                    padding: try padding(), strideHeight: try int(2, 1), strideWidth: try int(1, 1),
                    dilationHeight: try int(6, 1), dilationWidth: try int(5, 1), activation: try activation(4)),
                depthMultiplier: try int(3, 1))
        case Schema.Code.maxPool2d, Schema.Code.averagePool2d:
            let window = Window(
                padding: try padding(), strideHeight: try int(2, 1), strideWidth: try int(1, 1),
                filterHeight: try int(4, 1), filterWidth: try int(3, 1), activation: try activation(5))
            return code == Schema.Code.maxPool2d ? .maxPool2d(window) : .averagePool2d(window)
        case Schema.Code.fullyConnected:
            guard try options?.scalar(1, default: UInt8(0)) ?? 0 == 0 else {
                throw Int8ModelError.unsupported("FULLY_CONNECTED with shuffled weights")
            }
            return .fullyConnected(try activation(0))
        case Schema.Code.softmax: return .softmax(beta: try options?.float(0, default: 0) ?? 1)
        case Schema.Code.reshape: return .reshape
        case Schema.Code.mean: return .mean(keepDims: try options?.scalar(0, default: UInt8(0)) ?? 0 != 0)
        case Schema.Code.quantize: return .quantize
        case Schema.Code.dequantize: return .dequantize
        default: throw Int8ModelError.unsupportedOperator(name)
        }
    }
}
