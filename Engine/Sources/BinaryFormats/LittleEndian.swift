// Little-endian integers in byte buffers: the one way the engine writes and reads them, for
// checkpoints, .tflite flatbuffers and ZIP archives (and the server's dataset export).
// What it is not: bounds-checked. Readers check a length once, as a format's reader does,
// and then read without checks.

/// `value`'s bytes, least significant first.
@inlinable
public func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

extension RangeReplaceableCollection<UInt8> {
    /// Appends `value`'s bytes, least significant first.
    @inlinable
    public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        for i in 0..<MemoryLayout<T>.size { append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
}

extension RandomAccessCollection<UInt8> {
    /// The `T` stored least significant byte first, `offset` bytes from the start.
    /// The caller has checked that `MemoryLayout<T>.size` bytes are there.
    @inlinable
    public func littleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        var value: T = 0
        var position = index(startIndex, offsetBy: offset)
        for i in 0..<MemoryLayout<T>.size {
            value |= T(truncatingIfNeeded: self[position]) << (8 * i)
            formIndex(after: &position)
        }
        return value
    }
}
