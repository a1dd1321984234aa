// Decoding and encoding through the C codecs (libjpeg, libpng).
import CImageCodecs
import Foundation

extension Image {
    /// Largest image decoded by default: 50 megapixels (150 MB as RGB).
    public static let defaultMaximumPixels = 50_000_000

    /// Reads the header only: format, size and channels.
    public static func info(of data: Data) throws -> ImageInfo {
        var format: Int32 = 0, width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { bytes in
            mn_image_info(
                bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &format, &width, &height, &channels,
                &message, message.count)
        }
        guard status == 0 else {
            throw status == -1 ? ImageError.unsupportedFormat : ImageError.corrupt(Self.text(message))
        }
        guard width > 0, height > 0 else { throw ImageError.corrupt("zero width or height") }
        return ImageInfo(
            format: format == MN_FORMAT_JPEG ? .jpeg : .png, width: Int(width), height: Int(height),
            channels: Int(channels))
    }

    /// Decodes a JPEG or PNG; refuses images over `maximumPixels` before allocating.
    public init(decoding data: Data, maximumPixels: Int = Image.defaultMaximumPixels) throws {
        let info = try Image.info(of: data)
        guard info.width * info.height <= maximumPixels else {
            throw ImageError.tooLarge(width: info.width, height: info.height, maximumPixels: maximumPixels)
        }
        var pixels = [UInt8](repeating: 0, count: info.width * info.height * info.channels)
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { bytes in
            pixels.withUnsafeMutableBufferPointer { output in
                mn_image_decode(
                    bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, output.baseAddress,
                    Int32(info.width), Int32(info.height), Int32(info.channels), &message, message.count)
            }
        }
        guard status == 0 else { throw ImageError.corrupt(Self.text(message)) }
        self.init(width: info.width, height: info.height, channels: info.channels, pixels: pixels)
    }

    /// A C message buffer as text, up to its terminating zero.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func pngData() throws -> Data {
        try encode { output, size, message in
            mn_encode_png(pixels, Int32(width), Int32(height), Int32(channels), output, size, message, 256)
        }
    }

    /// JPEG at `quality` 1–100.
    public func jpegData(quality: Int = 85) throws -> Data {
        try encode { output, size, message in
            mn_encode_jpeg(
                pixels, Int32(width), Int32(height), Int32(channels), Int32(min(100, max(1, quality))), output, size,
                message, 256)
        }
    }

    private func encode(
        _ body: (
            UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>
        ) -> Int32
    ) throws -> Data {
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { body(&output, &size, $0.baseAddress!) }
        defer { mn_free(output) }
        guard status == 0, let output else { throw ImageError.encodingFailed(Self.text(message)) }
        return Data(bytes: output, count: size)
    }
}
