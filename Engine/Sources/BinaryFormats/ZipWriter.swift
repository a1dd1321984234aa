// A ZIP writer: entries are stored (no compression: images are compressed already, model
// packages are a few hundred kilobytes), each written as soon as its bytes are known, so a
// stream holds one file at a time whatever the archive's size. ZIP64 records are added when
// there are more than 65,535 entries or the archive passes 4 GiB, so large datasets open
// everywhere. Names are UTF-8; every entry is dated 1980-01-01, so archives are reproducible.
// What it is not: a reader, or a compressor.
import Foundation
import SystemZlib

public struct ZipWriter {
    private struct CentralEntry {
        let name: [UInt8]
        let crc: UInt32
        let size: UInt64
        let offset: UInt64
    }

    private var entries: [CentralEntry] = []
    private var offset: UInt64 = 0

    public init() {}

    /// A whole archive in memory: `files` (paths with forward slashes) in order.
    public static func archive(_ files: [(name: String, content: Data)]) -> Data {
        var writer = ZipWriter()
        var out = Data()
        for file in files { out += writer.entry(name: file.name, content: file.content) }
        return out + writer.finish()
    }

    /// The bytes to emit for one file: its local header followed by its content.
    public mutating func entry(name: String, content: Data) -> Data {
        let nameBytes = Array(name.utf8)
        let crc = Self.crc32(content)
        var out = Data()
        out.appendLittleEndian(UInt32(0x0403_4b50))
        out.appendLittleEndian(UInt16(20))  // version needed
        out.appendLittleEndian(UInt16(1 << 11))  // UTF-8 names
        out.appendLittleEndian(UInt16(0))  // stored
        // time, date (1980-01-01): reproducible archives
        out.appendLittleEndian(UInt16(0)); out.appendLittleEndian(UInt16(0x21))
        out.appendLittleEndian(crc)
        out.appendLittleEndian(UInt32(content.count)); out.appendLittleEndian(UInt32(content.count))
        out.appendLittleEndian(UInt16(nameBytes.count)); out.appendLittleEndian(UInt16(0))
        out.append(contentsOf: nameBytes)
        out.append(content)
        entries.append(CentralEntry(name: nameBytes, crc: crc, size: UInt64(content.count), offset: offset))
        offset += UInt64(out.count)
        return out
    }

    /// The central directory and end records.
    public func finish() -> Data {
        var out = Data()
        let directoryStart = offset
        for entry in entries {
            let needsZip64 = entry.offset >= 0xFFFF_FFFF
            out.appendLittleEndian(UInt32(0x0201_4b50))
            out.appendLittleEndian(UInt16(45)); out.appendLittleEndian(UInt16(45))
            out.appendLittleEndian(UInt16(1 << 11)); out.appendLittleEndian(UInt16(0))
            out.appendLittleEndian(UInt16(0)); out.appendLittleEndian(UInt16(0x21))
            out.appendLittleEndian(entry.crc)
            out.appendLittleEndian(UInt32(entry.size)); out.appendLittleEndian(UInt32(entry.size))
            out.appendLittleEndian(UInt16(entry.name.count))
            out.appendLittleEndian(UInt16(needsZip64 ? 12 : 0))
            out.appendLittleEndian(UInt16(0)); out.appendLittleEndian(UInt16(0)); out.appendLittleEndian(UInt16(0))
            out.appendLittleEndian(UInt32(0))
            out.appendLittleEndian(needsZip64 ? UInt32(0xFFFF_FFFF) : UInt32(entry.offset))
            out.append(contentsOf: entry.name)
            if needsZip64 {
                out.appendLittleEndian(UInt16(1)); out.appendLittleEndian(UInt16(8));
                out.appendLittleEndian(entry.offset)
            }
        }
        let directorySize = UInt64(out.count)
        let count = UInt64(entries.count)
        if count > 0xFFFF || directoryStart >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF {
            let zip64End = directoryStart + directorySize
            out.appendLittleEndian(UInt32(0x0606_4b50)); out.appendLittleEndian(UInt64(44))
            out.appendLittleEndian(UInt16(45)); out.appendLittleEndian(UInt16(45))
            out.appendLittleEndian(UInt32(0)); out.appendLittleEndian(UInt32(0))
            out.appendLittleEndian(count); out.appendLittleEndian(count)
            out.appendLittleEndian(directorySize); out.appendLittleEndian(directoryStart)
            out.appendLittleEndian(UInt32(0x0706_4b50)); out.appendLittleEndian(UInt32(0))
            out.appendLittleEndian(zip64End); out.appendLittleEndian(UInt32(1))
        }
        out.appendLittleEndian(UInt32(0x0605_4b50))
        out.appendLittleEndian(UInt16(0)); out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(UInt16(min(count, 0xFFFF))); out.appendLittleEndian(UInt16(min(count, 0xFFFF)))
        out.appendLittleEndian(UInt32(min(directorySize, 0xFFFF_FFFF)))
        out.appendLittleEndian(UInt32(min(directoryStart, 0xFFFF_FFFF)))
        out.appendLittleEndian(UInt16(0))
        return out
    }

    /// The CRC-32 ZIP records for `bytes` (zlib's).
    static func crc32(_ bytes: Data) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(crc32_z(0, $0.bindMemory(to: Bytef.self).baseAddress, $0.count)) }
    }
}
