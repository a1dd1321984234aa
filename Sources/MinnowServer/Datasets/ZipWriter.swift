// A streaming ZIP writer: entries are stored (images are compressed already), each written
// as soon as its bytes are known, so memory holds one file at a time whatever the archive's
// size. ZIP64 records are added when there are more than 65,535 entries or the archive
// passes 4 GiB, so large datasets open everywhere.
import Foundation
import ZIPFoundation

struct ZipWriter {
    private struct CentralEntry {
        let name: [UInt8]
        let crc: UInt32
        let size: UInt64
        let offset: UInt64
    }

    private var entries: [CentralEntry] = []
    private var offset: UInt64 = 0

    /// The bytes to emit for one file: its local header followed by its content.
    mutating func entry(name: String, content: Data) -> Data {
        let nameBytes = Array(name.utf8)
        let crc = content.crc32(checksum: 0)
        var out = Data()
        out.append(le32: 0x0403_4b50)
        out.append(le16: 20)              // version needed
        out.append(le16: 1 << 11)         // UTF-8 names
        out.append(le16: 0)               // stored
        out.append(le16: 0); out.append(le16: 0x21)  // time, date (1980-01-01): reproducible archives
        out.append(le32: crc)
        out.append(le32: UInt32(content.count)); out.append(le32: UInt32(content.count))
        out.append(le16: UInt16(nameBytes.count)); out.append(le16: 0)
        out.append(contentsOf: nameBytes)
        out.append(content)
        entries.append(CentralEntry(name: nameBytes, crc: crc, size: UInt64(content.count), offset: offset))
        offset += UInt64(out.count)
        return out
    }

    /// The central directory and end records.
    func finish() -> Data {
        var out = Data()
        let directoryStart = offset
        for entry in entries {
            let needsZip64 = entry.offset >= 0xFFFF_FFFF
            out.append(le32: 0x0201_4b50)
            out.append(le16: 45); out.append(le16: 45)
            out.append(le16: 1 << 11); out.append(le16: 0)
            out.append(le16: 0); out.append(le16: 0x21)
            out.append(le32: entry.crc)
            out.append(le32: UInt32(entry.size)); out.append(le32: UInt32(entry.size))
            out.append(le16: UInt16(entry.name.count))
            out.append(le16: needsZip64 ? 12 : 0)
            out.append(le16: 0); out.append(le16: 0); out.append(le16: 0)
            out.append(le32: 0)
            out.append(le32: needsZip64 ? 0xFFFF_FFFF : UInt32(entry.offset))
            out.append(contentsOf: entry.name)
            if needsZip64 {
                out.append(le16: 1); out.append(le16: 8); out.append(le64: entry.offset)
            }
        }
        let directorySize = UInt64(out.count)
        let count = UInt64(entries.count)
        if count > 0xFFFF || directoryStart >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF {
            let zip64End = directoryStart + directorySize
            out.append(le32: 0x0606_4b50); out.append(le64: 44)
            out.append(le16: 45); out.append(le16: 45); out.append(le32: 0); out.append(le32: 0)
            out.append(le64: count); out.append(le64: count); out.append(le64: directorySize); out.append(le64: directoryStart)
            out.append(le32: 0x0706_4b50); out.append(le32: 0); out.append(le64: zip64End); out.append(le32: 1)
        }
        out.append(le32: 0x0605_4b50)
        out.append(le16: 0); out.append(le16: 0)
        out.append(le16: UInt16(min(count, 0xFFFF))); out.append(le16: UInt16(min(count, 0xFFFF)))
        out.append(le32: UInt32(min(directorySize, 0xFFFF_FFFF)))
        out.append(le32: UInt32(min(directoryStart, 0xFFFF_FFFF)))
        out.append(le16: 0)
        return out
    }
}

private extension Data {
    mutating func append(le16 value: UInt16) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func append(le32 value: UInt32) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func append(le64 value: UInt64) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
}
