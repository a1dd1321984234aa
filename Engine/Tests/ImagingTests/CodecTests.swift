import Foundation
import Testing
@testable import Imaging

@Suite("Image decoding and encoding")
struct CodecTests {
    static func gradient(width: Int, height: Int, channels: Int) -> Image {
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    pixels.append(UInt8(x * 150 / max(1, width - 1) + y * 50 / max(1, height - 1) + c * 30))
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test(arguments: [1, 3])
    func pngRoundTripIsExact(channels: Int) throws {
        let image = Self.gradient(width: 37, height: 21, channels: channels)
        let data = try image.pngData()
        #expect(try Image.info(of: data) == ImageInfo(format: .png, width: 37, height: 21, channels: channels))
        #expect(try Image(decoding: data) == image)
    }

    @Test(arguments: [1, 3])
    func jpegRoundTripIsClose(channels: Int) throws {
        let image = Self.gradient(width: 64, height: 48, channels: channels)
        let decoded = try Image(decoding: try image.jpegData(quality: 95))
        #expect(decoded.width == 64 && decoded.height == 48 && decoded.channels == channels)
        let error = zip(image.pixels, decoded.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)
        #expect(Double(error) / Double(image.pixels.count) < 3)
    }

    @Test func refusesWhatIsNotAnImage() throws {
        #expect(throws: ImageError.unsupportedFormat) { try Image(decoding: Data("hello, world".utf8)) }
        #expect(throws: ImageError.unsupportedFormat) { try Image(decoding: Data()) }
    }

    @Test func refusesTruncatedFiles() throws {
        let image = Self.gradient(width: 64, height: 64, channels: 3)
        for data in [try image.pngData(), try image.jpegData()] {
            let truncated = data.prefix(data.count / 2)
            #expect(throws: ImageError.self) { try Image(decoding: truncated) }
        }
    }

    @Test func refusesDecompressionBombsBeforeAllocating() throws {
        let bomb = Self.pngHeader(width: 60000, height: 60000)
        let info = try Image.info(of: bomb)
        #expect(info.width == 60000 && info.height == 60000)
        #expect(throws: ImageError.tooLarge(width: 60000, height: 60000, maximumPixels: Image.defaultMaximumPixels)) {
            try Image(decoding: bomb)
        }
    }

    /// A PNG signature and a valid IHDR chunk claiming `width × height`, and nothing else.
    static func pngHeader(width: UInt32, height: UInt32) -> Data {
        var chunk = Data("IHDR".utf8)
        for value in [width, height] { withUnsafeBytes(of: value.bigEndian) { chunk.append(contentsOf: $0) } }
        chunk.append(contentsOf: [8, 2, 0, 0, 0])  // 8-bit RGB
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        data.append(chunk)
        withUnsafeBytes(of: crc32(chunk).bigEndian) { data.append(contentsOf: $0) }
        // a few bytes of image data and the end marker: a tiny file that claims a huge image
        for (type, body) in [
            ("IDAT", [UInt8](arrayLiteral: 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01)), ("IEND", []),
        ] {
            withUnsafeBytes(of: UInt32(body.count).bigEndian) { data.append(contentsOf: $0) }
            let typed = Data(type.utf8) + Data(body)
            data.append(typed)
            withUnsafeBytes(of: crc32(typed).bigEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}

@Suite("Resizing and colour")
struct TransformTests {
    @Test func areaDownscaleAveragesExactly() {
        let image = Image(width: 4, height: 2, channels: 1, pixels: [0, 10, 20, 30, 40, 50, 60, 70])
        let small = image.resized(width: 2, height: 1)
        #expect(small.pixels == [25, 45])  // (0+10+40+50)/4, (20+30+60+70)/4
    }

    @Test func sameSizeIsIdentityAndUpscaleInterpolates() {
        let image = CodecTests.gradient(width: 9, height: 7, channels: 3)
        #expect(image.resized(width: 9, height: 7) == image)
        let line = Image(width: 2, height: 1, channels: 1, pixels: [0, 200])
        #expect(line.resized(width: 4, height: 1).pixels == [0, 50, 150, 200])
    }

    @Test func grayscaleUsesLumaWeights() {
        let rgb = Image(width: 3, height: 1, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255])
        #expect(rgb.converted(to: .grayscale).pixels == [76, 150, 29])
        #expect(rgb.converted(to: .grayscale).converted(to: .rgb).pixels == [76, 76, 76, 150, 150, 150, 29, 29, 29])
    }

    @Test func resizeModesKeepOrIgnoreTheAspectRatio() {
        let wide = Image(width: 40, height: 20, channels: 1, pixels: [UInt8](repeating: 200, count: 800))
        let squashed = wide.prepared(width: 10, height: 10, mode: .squash, color: .grayscale)
        let cropped = wide.prepared(width: 10, height: 10, mode: .fitShorterSideCrop, color: .grayscale)
        let boxed = wide.prepared(width: 10, height: 10, mode: .letterbox, color: .rgb)
        #expect(squashed.pixels.allSatisfy { $0 == 200 })
        #expect(cropped.width == 10 && cropped.pixels.allSatisfy { $0 == 200 })
        #expect(boxed.channels == 3)
        let rows = (0..<10).map { y in boxed[5, y, 0] }
        #expect(rows == [0, 0, 0, 200, 200, 200, 200, 200, 0, 0] || rows == [0, 0, 200, 200, 200, 200, 200, 0, 0, 0])
    }

    @Test func thumbnailsNeverGrow() {
        let image = CodecTests.gradient(width: 300, height: 150, channels: 3)
        let thumb = image.thumbnail(maximumSide: 128)
        #expect(thumb.width == 128 && thumb.height == 64)
        #expect(image.thumbnail(maximumSide: 512) == image)
    }

    @Test func differenceHashFindsNearDuplicates() throws {
        let image = CodecTests.gradient(width: 120, height: 90, channels: 3)
        let reencoded = try Image(decoding: try image.resized(width: 100, height: 75).jpegData(quality: 70))
        var state: UInt32 = 12345
        let other = Image(
            width: 120, height: 90, channels: 3,
            pixels: (0..<120 * 90 * 3).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(state >> 24)
            })
        let near = (image.differenceHash() ^ reencoded.differenceHash()).nonzeroBitCount
        let far = (image.differenceHash() ^ other.differenceHash()).nonzeroBitCount
        #expect(near <= 6)
        #expect(far > 16)
    }
}
