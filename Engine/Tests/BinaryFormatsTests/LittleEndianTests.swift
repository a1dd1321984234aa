import BinaryFormats
import Foundation
import Testing

@Suite("Little-endian integers")
struct LittleEndianTests {
    @Test func bytesAreLeastSignificantFirst() {
        #expect(littleEndianBytes(UInt16(0x0102)) == [0x02, 0x01])
        #expect(littleEndianBytes(UInt32(0x0403_4b50)) == [0x50, 0x4b, 0x03, 0x04])
        #expect(littleEndianBytes(Int32(-2)) == [0xFE, 0xFF, 0xFF, 0xFF])
        #expect(littleEndianBytes(UInt64(0x0102_0304_0506_0708)) == [8, 7, 6, 5, 4, 3, 2, 1])
    }

    @Test func appendingMatchesTheBytes() {
        // setup
        var array: [UInt8] = [9]
        var data = Data([9])
        // act
        array.appendLittleEndian(UInt32(0xDEAD_BEEF))
        data.appendLittleEndian(UInt32(0xDEAD_BEEF))
        // check
        #expect(array == [9] + littleEndianBytes(UInt32(0xDEAD_BEEF)))
        #expect(Array(data) == array)
    }

    @Test func readingGivesBackWhatWasWritten() {
        // setup
        var bytes: [UInt8] = [0xAA]
        bytes.appendLittleEndian(Int16(-300))
        bytes.appendLittleEndian(UInt32(0x1234_5678))
        bytes.appendLittleEndian(Int64.min)
        // check
        #expect(bytes.littleEndian(Int16.self, at: 1) == -300)
        #expect(bytes.littleEndian(UInt32.self, at: 3) == 0x1234_5678)
        #expect(bytes.littleEndian(Int64.self, at: 7) == .min)
        #expect(
            Data(bytes).dropFirst().littleEndian(UInt32.self, at: 2) == 0x1234_5678,
            "offsets count from a slice's start")
    }
}
