// TFLiteWriter: serialises an `Int8Model` as a `.tflite` (schema version 3, identifier TFL3)
// that TFLite Micro and LiteRT load unchanged. Constants get one buffer each (buffer 0 is
// the empty sentinel); labels and preprocessing go into metadata entries `minnow_labels`
// (newline-separated) and `minnow_preprocessing` (JSON).

import BinaryFormats
import Foundation
import NeuralNet

public enum TFLiteWriter {
    /// The `.tflite` bytes of `model`.
    public static func serialize(_ model: Int8Model) throws -> [UInt8] {
        var buffers: [FlatBufferValue] = [.table([nil])]
        func addBuffer(_ bytes: [UInt8]) -> UInt32 {
            buffers.append(.table([.offset(.scalars(bytes: bytes, elementSize: 1, alignment: 16))]))
            return UInt32(buffers.count - 1)
        }
        let tensors: [FlatBufferValue] = model.tensors.map { tensor in
            var buffer: UInt32 = 0
            if let constant = tensor.constant { buffer = addBuffer(constantBytes(constant)) }
            var quantization: FlatBufferField?
            if let q = tensor.quantization {
                quantization = .offset(
                    .table([
                        nil, nil, .offset(.floats(q.scales)), .offset(.int64s(q.zeroPoints.map(Int64.init))),
                        nil, nil, .int32(Int32(q.quantizedDimension)),
                    ]))
            }
            return .table([
                .offset(.int32s(tensor.shape.map { Int32($0) })), .uint8(Schema.typeCode(tensor.type)),
                .uint32(buffer), .offset(.string(tensor.name)), quantization,
            ])
        }
        var codes: [Int32] = []
        let operators: [FlatBufferValue] = model.nodes.map { node in
            let code = builtinCode(node.op)
            if !codes.contains(code) { codes.append(code) }
            let (optionsType, options) = self.options(node.op)
            return .table([
                .uint32(UInt32(codes.firstIndex(of: code)!)),
                .offset(.int32s(node.inputs.map { Int32($0) })), .offset(.int32s(node.outputs.map { Int32($0) })),
                options == nil ? nil : .uint8(optionsType), options.map { .offset($0) },
            ])
        }
        let operatorCodes: [FlatBufferValue] = codes.map { code in
            .table([.uint8(UInt8(min(code, 127))), nil, .int32(version(of: code)), .int32(code)])
        }
        let subgraph: FlatBufferValue = .table([
            .offset(.tables(tensors)), .offset(.int32s(model.inputs.map { Int32($0) })),
            .offset(.int32s(model.outputs.map { Int32($0) })), .offset(.tables(operators)), .offset(.string("main")),
        ])
        var metadata: [FlatBufferValue] = []
        if !model.labels.isEmpty {
            metadata.append(
                .table([
                    .offset(.string(Schema.labelsMetadata)),
                    .uint32(addBuffer(Array(model.labels.joined(separator: "\n").utf8))),
                ]))
        }
        if let preprocessing = model.preprocessing {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]  // the same model always serialises to the same bytes (model hash)
            let json = try encoder.encode(preprocessing)
            metadata.append(
                .table([.offset(.string(Schema.preprocessingMetadata)), .uint32(addBuffer([UInt8](json)))]))
        }
        let root: FlatBufferValue = .table([
            .uint32(Schema.version), .offset(.tables(operatorCodes)), .offset(.tables([subgraph])),
            .offset(.string(model.description.isEmpty ? "Minnow int8 model" : model.description)),
            .offset(.tables(buffers)),
            nil, metadata.isEmpty ? nil : .offset(.tables(metadata)),
        ])
        return FlatBufferBuilder.serialize(root: root, identifier: Schema.identifier)
    }

    /// Writes `model` to `path`.
    public static func write(_ model: Int8Model, to path: String) throws {
        try Data(try serialize(model)).write(to: URL(fileURLWithPath: path))
    }

    static func constantBytes(_ constant: ConstantData) -> [UInt8] {
        switch constant {
        case let .int8(values): values.map { UInt8(bitPattern: $0) }
        case let .int32(values): values.flatMap { littleEndianBytes($0) }
        case let .float32(values): values.flatMap { littleEndianBytes($0.bitPattern) }
        }
    }
}
