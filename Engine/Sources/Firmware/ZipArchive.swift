// A minimal ZIP writer (stored entries, no compression) for the C and Arduino library
// packages: local headers, a central directory and CRC-32, readable by any unzip.
// What it is not: a reader, or a compressor (the packages are a few hundred kilobytes).

/// Builds a ZIP archive in memory.
public struct ZipArchive {
    private var data: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    public init() {}

    /// Adds a file at `path` (forward slashes) with `contents`.
    public mutating func add(_ path: String, _ contents: [UInt8]) {
        let name = Array(path.utf8)
        let crc = ZipArchive.crc32(contents)
        let offset = UInt32(data.count)
        // Local file header: version 10, no flags, stored, DOS time 2025-01-01 00:00.
        data += le32(0x0403_4b50) + le16(10) + le16(0) + le16(0) + le16(0) + le16(0x5A21)
        data += le32(crc) + le32(UInt32(contents.count)) + le32(UInt32(contents.count)) + le16(UInt16(name.count)) + le16(0)
        data += name + contents
        central += le32(0x0201_4b50) + le16(20) + le16(10) + le16(0) + le16(0) + le16(0) + le16(0x5A21)
        central += le32(crc) + le32(UInt32(contents.count)) + le32(UInt32(contents.count)) + le16(UInt16(name.count))
        central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(offset) + name
        count += 1
    }

    public mutating func add(_ path: String, text: String) { add(path, Array(text.utf8)) }

    /// The archive bytes.
    public var bytes: [UInt8] {
        data + central + le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
            + le32(UInt32(central.count)) + le32(UInt32(data.count)) + le16(0)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}

private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) } }
