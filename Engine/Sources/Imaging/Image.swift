// Imaging: decode and encode JPEG and PNG, resize, crop and convert colour, for the dataset
// pipeline, training and thumbnails. 8-bit pixels in memory; no colour management, no
// EXIF orientation, no animation. Decoding checks the declared size before allocating, so
// a small file that claims to be 60000×60000 is refused instead of eating memory.
import CImageCodecs
import Foundation

/// An 8-bit image: `channels` is 1 (grayscale) or 3 (RGB); pixels are row-major, interleaved.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        precondition(pixels.count == width * height * channels, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public var colorMode: ColorMode { channels == 1 ? .grayscale : .rgb }

    /// The value of one channel of one pixel.
    @inlinable public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        pixels[(y * width + x) * channels + channel]
    }
}

/// Colour of an image, and of a model input (`NeuralNet.Preprocessing`); stored and sent as its raw value.
public enum ColorMode: String, Sendable, Codable, CaseIterable {
    case grayscale, rgb

    public var channels: Int { self == .grayscale ? 1 : 3 }
}

public enum ImageFormat: String, Sendable, Codable {
    case jpeg, png

    public var fileExtension: String { self == .jpeg ? "jpg" : "png" }
    public var mediaType: String { self == .jpeg ? "image/jpeg" : "image/png" }

    /// The format a file's first bytes announce (PNG signature, JPEG start-of-image), without
    /// reading further; nil for anything else. `Image.info(of:)` checks the whole header.
    public static func announced(by data: Data) -> ImageFormat? {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if data.starts(with: [0xFF, 0xD8]) { return .jpeg }
        return nil
    }
}

/// What a file's header says, read without decoding the pixels.
public struct ImageInfo: Sendable, Equatable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    /// The channels decoding produces: 1 for grayscale sources, 3 otherwise.
    public let channels: Int
}

public enum ImageError: Error, Equatable, CustomStringConvertible {
    case unsupportedFormat
    case corrupt(String)
    case tooLarge(width: Int, height: Int, maximumPixels: Int)
    case encodingFailed(String)

    public var description: String {
        switch self {
        case .unsupportedFormat: "not a JPEG or PNG image"
        case .corrupt(let reason): "corrupt image: \(reason)"
        case .tooLarge(let width, let height, let maximum):
            "image is \(width)×\(height) pixels, over the limit of \(maximum / 1_000_000) megapixels"
        case .encodingFailed(let reason): "could not encode the image: \(reason)"
        }
    }
}
