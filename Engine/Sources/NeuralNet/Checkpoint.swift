// Checkpoint: the versioned binary file of a trained model — magic "MNNW", a format
// version, a JSON header (architecture, labels, preprocessing, parameter table, training
// metadata) and the raw little-endian float32 values of every parameter and buffer in
// `Model.state` order. Loading rebuilds the model and checks every shape.
//
// Layout:  "MNNW" | UInt32 version | UInt32 header length | header JSON | float32 values

import BinaryFormats
import Foundation

/// Why a checkpoint could not be read.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case notACheckpoint
    case unsupportedVersion(found: UInt32, supported: UInt32)
    case corrupt(String)

    public var description: String {
        switch self {
        case .notACheckpoint:
            "not a Minnow checkpoint (wrong magic number); pass a file written by `train-local --out` or the worker"
        case let .unsupportedVersion(found, supported):
            "checkpoint format version \(found) is not supported (this build reads version \(supported)); "
                + "use a Minnow release of the same generation or retrain"
        case let .corrupt(why): "corrupt checkpoint: \(why)"
        }
    }
}

/// Reads and writes model checkpoints.
public enum Checkpoint {
    public static let magic: [UInt8] = Array("MNNW".utf8)
    public static let version: UInt32 = 1

    /// Everything except the weights.
    public struct Header: Codable, Sendable, Equatable {
        public struct Entry: Codable, Sendable, Equatable {
            public var layer: Int
            public var name: String
            public var shape: [Int]
        }
        public var architecture: Architecture
        public var labels: [String]
        public var preprocessing: Preprocessing
        public var tensors: [Entry]
        /// Free-form facts about the run (e.g. seed, epochs, test accuracy).
        public var metadata: [String: String]
    }

    /// Serialises `model` (with optional metadata).
    public static func encode(_ model: Model, metadata: [String: String] = [:]) throws -> Data {
        var entries: [Header.Entry] = []
        for (index, layer) in model.layers.enumerated() {
            for parameter in layer.parameters + layer.buffers {
                entries.append(.init(layer: index, name: parameter.name, shape: parameter.shape))
            }
        }
        let header = Header(
            architecture: model.architecture, labels: model.labels, preprocessing: model.preprocessing,
            tensors: entries, metadata: metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(magic)
        data.appendLittleEndian(version)
        data.appendLittleEndian(UInt32(json.count))
        data.append(json)
        for parameter in model.state {
            parameter.value.withUnsafeBytes { data.append(contentsOf: $0) }  // x86-64 and arm64 are little-endian
        }
        return data
    }

    /// Reads only the header (cheap; for listings).
    public static func header(of data: Data) throws -> (Header, Int) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else { throw CheckpointError.notACheckpoint }
        guard bytes.count == 12 else { throw CheckpointError.corrupt("file ends inside the preamble") }
        let found = bytes.littleEndian(UInt32.self, at: 4)
        guard found == version else { throw CheckpointError.unsupportedVersion(found: found, supported: version) }
        let length = Int(bytes.littleEndian(UInt32.self, at: 8))
        guard data.count >= 12 + length else { throw CheckpointError.corrupt("file ends inside the header") }
        let start = data.startIndex + 12
        do {
            return (try JSONDecoder().decode(Header.self, from: data[start..<(start + length)]), 12 + length)
        } catch {
            throw CheckpointError.corrupt("unreadable header (\(error))")
        }
    }

    /// Rebuilds the model stored in `data`.
    public static func decode(_ data: Data) throws -> (model: Model, metadata: [String: String]) {
        let (header, offset) = try header(of: data)
        let model = Model(
            architecture: header.architecture, seed: 0, labels: header.labels, preprocessing: header.preprocessing)
        let state = model.state
        guard state.count == header.tensors.count else {
            throw CheckpointError.corrupt("architecture has \(state.count) tensors, file lists \(header.tensors.count)")
        }
        var position = data.startIndex + offset
        for (parameter, entry) in zip(state, header.tensors) {
            guard parameter.shape == entry.shape, parameter.name == entry.name else {
                throw CheckpointError.corrupt(
                    "tensor \(entry.name) of layer \(entry.layer) has shape \(entry.shape), expected \(parameter.shape)"
                )
            }
            let byteCount = parameter.value.count * 4
            guard data.endIndex - position >= byteCount else {
                throw CheckpointError.corrupt("file ends inside the weights")
            }
            parameter.value.withUnsafeMutableBytes { target in
                data.copyBytes(to: target, from: position..<(position + byteCount))
            }
            position += byteCount
        }
        guard position == data.endIndex else {
            throw CheckpointError.corrupt("\(data.endIndex - position) unexpected trailing bytes")
        }
        return (model, header.metadata)
    }

    /// Writes `model` to `url` atomically.
    public static func save(_ model: Model, to url: URL, metadata: [String: String] = [:]) throws {
        try encode(model, metadata: metadata).write(to: url, options: .atomic)
    }

    /// Loads a model from `url`.
    public static func load(from url: URL) throws -> (model: Model, metadata: [String: String]) {
        try decode(Data(contentsOf: url))
    }
}
