// The ZIP writer's records, read back field by field. Real unzip tools read its archives in
// the firmware tests (the C and Arduino packages) and the server's dataset export tests.
import BinaryFormats
import Foundation
import Testing

@Suite("ZIP writer")
struct ZipWriterTests {
    @Test func streamedEntriesMakeTheSameArchive() {
        // setup
        var writer = ZipWriter()
        // act
        let streamed =
            writer.entry(name: "a", content: Data([1, 2, 3])) + writer.entry(name: "b", content: Data())
            + writer.finish()
        // check
        #expect(streamed == ZipWriter.archive([("a", Data([1, 2, 3])), ("b", Data())]))
        #expect(streamed.littleEndian(UInt32.self, at: 0) == 0x0403_4b50, "local file header signature")
    }

    @Test func checksumsAreCRC32() {
        // The standard check value of CRC-32 (ISO-HDLC): "123456789" → CBF43926.
        var writer = ZipWriter()
        let entry = writer.entry(name: "digits", content: Data("123456789".utf8))
        #expect(entry.littleEndian(UInt32.self, at: 14) == 0xCBF4_3926)
    }

    @Test func endRecordCountsTheEntriesAndPointsAtTheDirectory() {
        // setup
        let files: [(name: String, content: Data)] = [
            ("readme.txt", Data("hello, world\n".utf8)),
            ("images/photo.bin", Data((0..<1000).map { UInt8($0 % 251) })),
            ("empty", Data()),
        ]
        // act
        let archive = ZipWriter.archive(files)
        // check
        let end = archive.count - 22
        #expect(archive.littleEndian(UInt32.self, at: end) == 0x0605_4b50, "end of central directory signature")
        #expect(archive.littleEndian(UInt16.self, at: end + 10) == 3, "entries")
        let size = Int(archive.littleEndian(UInt32.self, at: end + 12)),
            start = Int(archive.littleEndian(UInt32.self, at: end + 16))
        #expect(start + size == end)
        #expect(archive.littleEndian(UInt32.self, at: start) == 0x0201_4b50, "central directory signature")
        #expect(
            start == files.reduce(0) { $0 + 30 + $1.name.utf8.count + $1.content.count },
            "local headers and contents before it")
    }
}
