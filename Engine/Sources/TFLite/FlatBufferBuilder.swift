// A small FlatBuffers writer: describe tables, vectors and strings as values, then
// serialise them front to back (parent before children, so every uoffset points forward,
// vtables just before their tables).
//
// What it is: enough of the format to write `.tflite` files that TFLite Micro and LiteRT
// read. What it is not: a general builder (no vtable sharing, no structs, no in-place edits).

import BinaryFormats

/// A value in a FlatBuffer.
indirect enum FlatBufferValue {
    /// A table; `fields[id]` is nil when the field is absent.
    case table([FlatBufferField?])
    case tables([FlatBufferValue])
    /// A vector of scalars, already little-endian, with the element size and data alignment.
    case scalars(bytes: [UInt8], elementSize: Int, alignment: Int)
    case string(String)

    static func int32s(_ values: [Int32]) -> FlatBufferValue {
        .scalars(bytes: values.flatMap { littleEndianBytes($0) }, elementSize: 4, alignment: 4)
    }

    static func floats(_ values: [Float]) -> FlatBufferValue {
        .scalars(bytes: values.flatMap { littleEndianBytes($0.bitPattern) }, elementSize: 4, alignment: 4)
    }

    static func int64s(_ values: [Int64]) -> FlatBufferValue {
        .scalars(bytes: values.flatMap { littleEndianBytes($0) }, elementSize: 8, alignment: 8)
    }
}

/// One table field.
enum FlatBufferField {
    case uint8(UInt8)
    case int32(Int32)
    case uint32(UInt32)
    case float(Float)
    case offset(FlatBufferValue)

    var size: Int {
        switch self {
        case .uint8: 1
        default: 4
        }
    }
}

/// Serialises a root table with an optional 4-character file identifier.
struct FlatBufferBuilder {
    private(set) var bytes: [UInt8] = []

    static func serialize(root: FlatBufferValue, identifier: String) -> [UInt8] {
        var builder = FlatBufferBuilder()
        builder.bytes = [UInt8](repeating: 0, count: 4) + Array(identifier.utf8.prefix(4))
        builder.write(root, referencedFrom: 0)
        return builder.bytes
    }

    private mutating func pad(to alignment: Int, leaving extra: Int = 0) {
        while (bytes.count + extra) % alignment != 0 { bytes.append(0) }
    }

    private mutating func patch(_ position: Int, _ value: UInt32) {
        for (i, byte) in littleEndianBytes(value).enumerated() { bytes[position + i] = byte }
    }

    /// Writes `value` and stores its uoffset at `referencedFrom`.
    private mutating func write(_ value: FlatBufferValue, referencedFrom reference: Int) {
        switch value {
        case let .table(fields):
            // vtable: [vtable size, table size, field offsets…]; the table follows (4-aligned).
            var layout: [(id: Int, offset: Int)] = []
            var tableSize = 4
            for (id, field) in fields.enumerated() {
                guard let field else { continue }
                tableSize = (tableSize + field.size - 1) / field.size * field.size
                layout.append((id, tableSize))
                tableSize += field.size
            }
            tableSize = (tableSize + 3) / 4 * 4
            let vtableSize = 4 + 2 * fields.count
            pad(to: 4, leaving: vtableSize)
            let vtable = bytes.count
            var entries = [UInt16](repeating: 0, count: fields.count)
            for (id, offset) in layout { entries[id] = UInt16(offset) }
            bytes +=
                littleEndianBytes(UInt16(vtableSize)) + littleEndianBytes(UInt16(tableSize))
                + entries.flatMap { littleEndianBytes($0) }
            let table = bytes.count
            bytes += [UInt8](repeating: 0, count: tableSize)
            for (i, byte) in littleEndianBytes(Int32(table - vtable)).enumerated() { bytes[table + i] = byte }
            patch(reference, UInt32(table - reference))
            var children: [(Int, FlatBufferValue)] = []
            for (id, offset) in layout {
                let at = table + offset
                switch fields[id]! {
                case let .uint8(v): bytes[at] = v
                case let .int32(v): for (i, b) in littleEndianBytes(v).enumerated() { bytes[at + i] = b }
                case let .uint32(v): patch(at, v)
                case let .float(v): patch(at, v.bitPattern)
                case let .offset(child): children.append((at, child))
                }
            }
            for (at, child) in children { write(child, referencedFrom: at) }
        case let .tables(elements):
            pad(to: 4)
            let start = bytes.count
            patch(reference, UInt32(start - reference))
            bytes += littleEndianBytes(UInt32(elements.count)) + [UInt8](repeating: 0, count: 4 * elements.count)
            for (i, element) in elements.enumerated() { write(element, referencedFrom: start + 4 + 4 * i) }
        case let .scalars(data, elementSize, alignment):
            pad(to: max(alignment, 4), leaving: 4)
            patch(reference, UInt32(bytes.count - reference))
            bytes += littleEndianBytes(UInt32(data.count / elementSize)) + data
        case let .string(text):
            pad(to: 4)
            patch(reference, UInt32(bytes.count - reference))
            let utf8 = Array(text.utf8)
            bytes += littleEndianBytes(UInt32(utf8.count)) + utf8 + [0]
        }
    }
}
