// TFLiteReader: reads a `.tflite` (schema version 3) into an `Int8Model`.
//
// Reads files written by Minnow and by TensorFlow's converter. Only the first subgraph is
// read; operators outside the runtime's set are refused naming the operator, and tensor
// types other than int8, int32 and float32 are refused naming the tensor.
// Labels and preprocessing come from Minnow's metadata entries when present.

import Foundation
import NeuralNet

public enum TFLiteReader {
    /// Reads a `.tflite` file.
    public static func read(contentsOf path: String) throws -> Int8Model {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FlatBufferError(description: "cannot read \(path)")
        }
        return try read([UInt8](data))
    }

    /// Reads `.tflite` bytes.
    public static func read(_ bytes: [UInt8]) throws -> Int8Model {
        guard bytes.count >= 8, Array(bytes[4..<8]) == Array(Schema.identifier.utf8) else {
            throw FlatBufferError(description: "not a .tflite file: missing the TFL3 identifier at bytes 4-7")
        }
        let buffer = FlatBuffer(bytes: bytes)
        let model = try buffer.root()
        let version = try model.scalar(Schema.Model.version, default: UInt32(0))
        guard version == Schema.version else {
            throw FlatBufferError(
                description:
                    "unsupported .tflite schema version \(version); Minnow reads version \(Schema.version) (re-export the model with a current TensorFlow converter)"
            )
        }
        let buffers = try model.tables(Schema.Model.buffers)
        func bufferBytes(_ index: Int) throws -> ArraySlice<UInt8>? {
            guard index > 0, index < buffers.count else { return nil }
            let data = try buffers[index].bytes(Schema.Buffer.data)
            return (data?.isEmpty ?? true) ? nil : data
        }
        let codes = try model.tables(Schema.Model.operatorCodes).map { code -> (Int32, String?) in
            let deprecated = Int32(try code.scalar(Schema.OperatorCode.deprecatedBuiltinCode, default: Int8(0)))
            let builtin = try code.scalar(Schema.OperatorCode.builtinCode, default: Int32(0))
            return (max(deprecated, builtin), try code.string(Schema.OperatorCode.customCode))
        }
        guard let subgraph = try model.tables(Schema.Model.subgraphs).first else {
            throw FlatBufferError(description: "the .tflite file has no subgraph")
        }
        let tensors = try subgraph.tables(Schema.SubGraph.tensors).enumerated().map { index, tensor in
            try readTensor(tensor, index: index, bufferBytes: bufferBytes)
        }
        let nodes = try subgraph.tables(Schema.SubGraph.operators).map { op -> Node in
            let codeIndex = Int(try op.scalar(Schema.Operator.opcodeIndex, default: UInt32(0)))
            guard codeIndex < codes.count else {
                throw FlatBufferError(description: "operator code index \(codeIndex) out of range")
            }
            let (code, custom) = codes[codeIndex]
            let inputs = try op.integers(Schema.Operator.inputs, as: Int32.self).map(Int.init)
            let outputs = try op.integers(Schema.Operator.outputs, as: Int32.self).map(Int.init)
            for index in inputs + outputs where index >= tensors.count {
                throw FlatBufferError(description: "operator refers to tensor \(index) of \(tensors.count)")
            }
            if let custom { throw Int8ModelError.unsupportedOperator("CUSTOM (\(custom))") }
            return Node(
                try readOperator(code: code, options: op.table(Schema.Operator.options)), inputs: inputs,
                outputs: outputs)
        }
        var result = Int8Model(
            tensors: tensors, nodes: nodes,
            inputs: try subgraph.integers(Schema.SubGraph.inputs, as: Int32.self).map(Int.init),
            outputs: try subgraph.integers(Schema.SubGraph.outputs, as: Int32.self).map(Int.init),
            description: try model.string(Schema.Model.description) ?? "")
        for entry in try model.tables(Schema.Model.metadata) {
            let name = try entry.string(Schema.Metadata.name) ?? ""
            guard let data = try bufferBytes(Int(try entry.scalar(Schema.Metadata.buffer, default: UInt32(0)))) else {
                continue
            }
            if name == Schema.labelsMetadata {
                result.labels = String(decoding: data, as: UTF8.self).split(
                    separator: "\n", omittingEmptySubsequences: false
                ).map(String.init)
            } else if name == Schema.preprocessingMetadata {
                result.preprocessing = try? JSONDecoder().decode(Preprocessing.self, from: Data(data))
            }
        }
        return result
    }
}
