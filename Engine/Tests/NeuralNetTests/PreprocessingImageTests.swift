// Images as model input: the one conversion every path uses (datasets, prediction, frames,
// `minnow run`) decodes, converts the colour and fits the size by the resize mode.
import Foundation
import Imaging
import NeuralNet
import Testing

@Suite("Images as model input")
struct PreprocessingImageTests {
    /// A 40×20 RGB image: red rises left to right, green top to bottom, blue is constant.
    static let wide: Image = {
        var pixels: [UInt8] = []
        for y in 0..<20 {
            for x in 0..<40 { pixels += [UInt8(x * 6), UInt8(y * 12), 200] }
        }
        return Image(width: 40, height: 20, channels: 3, pixels: pixels)
    }()

    @Test func filesAreDecodedAndFittedInEachColourAndResizeMode() throws {
        // setup
        let png = try Self.wide.pngData()
        for mode in ResizeMode.allCases {
            for color in ColorMode.allCases {
                let preprocessing = Preprocessing(color: color, resizeMode: mode)
                // act
                let pixels = try preprocessing.pixels(decoding: png, width: 10, height: 10)
                // check
                #expect(
                    pixels == Self.wide.prepared(width: 10, height: 10, mode: mode, color: color).pixels,
                    "\(mode), \(color)")
                #expect(pixels.count == 10 * 10 * color.channels)
            }
        }
    }

    @Test func letterboxPadsAndCropKeepsTheCentre() throws {
        // setup
        let letterbox = Preprocessing(color: .grayscale, resizeMode: .letterbox)
        let crop = Preprocessing(color: .rgb, resizeMode: .fitShorterSideCrop)
        // act
        let boxed = letterbox.pixels(of: Self.wide, width: 10, height: 10)
        let cropped = crop.pixels(of: Self.wide, width: 10, height: 10)
        // check
        #expect(boxed[0..<20].allSatisfy { $0 == 0 }, "black bars above a wide image")
        #expect(boxed[40..<50].contains { $0 != 0 }, "the image between them")
        #expect(cropped[0] > 40, "the left quarter of red is cropped away")
    }

    @Test func unreadableBytesThrow() {
        let preprocessing = Preprocessing(color: .grayscale)
        #expect(throws: ImageError.self) {
            try preprocessing.pixels(decoding: Data("not an image".utf8), width: 8, height: 8)
        }
    }
}
