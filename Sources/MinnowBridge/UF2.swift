// A UF2 writer (Microsoft's USB Flashing Format, as the RP2040 BOOTSEL drive and many other
// bootloader drives accept): 512-byte blocks, each carrying 256 bytes of payload for one
// 256-byte-aligned flash address, with the start/end magic numbers, block number and count,
// and the family ID (flag 0x2000). It does not talk to drives; UF2CopyFlasher does.
import Foundation

public enum UF2 {
    public static let magicStart0: UInt32 = 0x0A32_4655  // "UF2\n"
    public static let magicStart1: UInt32 = 0x9E5D_5157
    public static let magicEnd: UInt32 = 0x0AB1_6F30
    public static let flagFamilyIDPresent: UInt32 = 0x0000_2000
    public static let payloadSize = 256
    /// Raspberry Pi RP2040.
    public static let familyRP2040: UInt32 = 0xE48B_FF56

    /// Encodes `segments` (bytes at addresses) as UF2 blocks. Bytes of a 256-byte page that no
    /// segment covers are zero.
    public static func encode(_ segments: [FirmwareFile.Segment], familyID: UInt32) -> [UInt8] {
        var pages: [UInt32: [UInt8]] = [:]
        for segment in segments {
            var offset = 0
            while offset < segment.bytes.count {
                let address = segment.address &+ UInt32(offset)
                let page = address & ~UInt32(payloadSize - 1)
                let inPage = Int(address - page)
                let n = min(payloadSize - inPage, segment.bytes.count - offset)
                var bytes = pages[page] ?? [UInt8](repeating: 0, count: payloadSize)
                bytes.replaceSubrange(inPage..<inPage + n, with: segment.bytes[offset..<offset + n])
                pages[page] = bytes
                offset += n
            }
        }
        let ordered = pages.keys.sorted()
        var out = [UInt8]()
        out.reserveCapacity(ordered.count * 512)
        for (index, page) in ordered.enumerated() {
            var block = [UInt8](repeating: 0, count: 512)
            func put(_ value: UInt32, at o: Int) {
                block[o] = UInt8(value & 0xff); block[o + 1] = UInt8(value >> 8 & 0xff)
                block[o + 2] = UInt8(value >> 16 & 0xff); block[o + 3] = UInt8(value >> 24)
            }
            put(magicStart0, at: 0)
            put(magicStart1, at: 4)
            put(flagFamilyIDPresent, at: 8)
            put(page, at: 12)
            put(UInt32(payloadSize), at: 16)
            put(UInt32(index), at: 20)
            put(UInt32(ordered.count), at: 24)
            put(familyID, at: 28)
            block.replaceSubrange(32..<32 + payloadSize, with: pages[page]!)
            put(magicEnd, at: 508)
            out.append(contentsOf: block)
        }
        return out
    }
}
