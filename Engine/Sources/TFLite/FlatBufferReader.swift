// A bounds-checked FlatBuffers reader: tables through their vtables, vectors, strings.
//
// What it is: just enough of the FlatBuffers binary format to read a `.tflite` written by
// anyone, with every offset checked so a corrupt file throws instead of crashing.
// What it is not: generated code or a schema-aware verifier; `TFLiteReader` knows the schema.

import BinaryFormats

/// Why a FlatBuffer could not be read.
public struct FlatBufferError: Error, CustomStringConvertible {
    public var description: String
}

/// A FlatBuffer held in memory.
struct FlatBuffer {
    let bytes: [UInt8]

    func check(_ position: Int, _ size: Int) throws {
        guard position >= 0, size >= 0, position <= bytes.count - size else {
            throw FlatBufferError(
                description:
                    "truncated or corrupt file: read of \(size) bytes at offset \(position) is outside the \(bytes.count)-byte file"
            )
        }
    }

    func load<T: FixedWidthInteger>(_ type: T.Type, at position: Int) throws -> T {
        try check(position, MemoryLayout<T>.size)
        return bytes.littleEndian(T.self, at: position)
    }

    /// The root table (uoffset at byte 0).
    func root() throws -> FlatBufferTable {
        try table(at: Int(try load(UInt32.self, at: 0)))
    }

    func table(at position: Int) throws -> FlatBufferTable {
        let vtable = position - Int(try load(Int32.self, at: position))
        let vtableSize = Int(try load(UInt16.self, at: vtable))
        try check(vtable, vtableSize)
        return FlatBufferTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize)
    }
}

/// One table: fields by id, absent fields read as their defaults.
struct FlatBufferTable {
    let buffer: FlatBuffer
    let position: Int
    let vtable: Int
    let vtableSize: Int

    /// Absolute position of field `id`, or nil when absent.
    func field(_ id: Int) throws -> Int? {
        let entry = 4 + 2 * id
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.load(UInt16.self, at: vtable + entry))
        return offset == 0 ? nil : position + offset
    }

    func scalar<T: FixedWidthInteger>(_ id: Int, default value: T) throws -> T {
        guard let at = try field(id) else { return value }
        return try buffer.load(T.self, at: at)
    }

    func float(_ id: Int, default value: Float) throws -> Float {
        guard let at = try field(id) else { return value }
        return Float(bitPattern: try buffer.load(UInt32.self, at: at))
    }

    /// Position the uoffset in field `id` points to.
    func indirect(_ id: Int) throws -> Int? {
        guard let at = try field(id) else { return nil }
        return at + Int(try buffer.load(UInt32.self, at: at))
    }

    func table(_ id: Int) throws -> FlatBufferTable? {
        guard let at = try indirect(id) else { return nil }
        return try buffer.table(at: at)
    }

    /// (first element position, count) of the vector in field `id`.
    func vector(_ id: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let at = try indirect(id) else { return nil }
        let count = Int(try buffer.load(UInt32.self, at: at))
        try buffer.check(at + 4, count * elementSize)
        return (at + 4, count)
    }

    func tables(_ id: Int) throws -> [FlatBufferTable] {
        guard let (start, count) = try vector(id, elementSize: 4) else { return [] }
        return try (0..<count).map { i in
            let at = start + 4 * i
            return try buffer.table(at: at + Int(try buffer.load(UInt32.self, at: at)))
        }
    }

    func integers<T: FixedWidthInteger>(_ id: Int, as type: T.Type) throws -> [T] {
        guard let (start, count) = try vector(id, elementSize: MemoryLayout<T>.size) else { return [] }
        return try (0..<count).map { try buffer.load(T.self, at: start + $0 * MemoryLayout<T>.size) }
    }

    func floats(_ id: Int) throws -> [Float] {
        try integers(id, as: UInt32.self).map(Float.init(bitPattern:))
    }

    func bytes(_ id: Int) throws -> ArraySlice<UInt8>? {
        guard let (start, count) = try vector(id, elementSize: 1) else { return nil }
        return buffer.bytes[start..<(start + count)]
    }

    func string(_ id: Int) throws -> String? {
        guard let bytes = try bytes(id) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
