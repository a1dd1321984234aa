// From image bytes to what a model reads: decoded, fitted to the input size with the
// iteration's resize mode and colour, normalised. Training, evaluation, quick tests and the
// prediction API all prepare images here, so a model sees the same pixels everywhere.
import Foundation
import Imaging
import NeuralNet

package struct ModelInput: Sendable {
    package let width: Int
    package let height: Int
    package let preprocessing: Preprocessing

    package init(width: Int, height: Int, preprocessing: Preprocessing) {
        self.width = width
        self.height = height
        self.preprocessing = preprocessing
    }

    package init(_ configuration: TrainingDefaults.Configuration) {
        self.init(
            width: configuration.input.width, height: configuration.input.height,
            preprocessing: Preprocessing(
                color: configuration.input.colorMode == .rgb ? .rgb : .grayscale,
                resizeMode: .init(rawValue: configuration.resizeMode.rawValue) ?? .squash))
    }

    package var channels: Int { preprocessing.color.channels }

    /// 8-bit pixels (H, W, C) fitted to the input.
    package func pixels(from data: Data) throws -> [UInt8] {
        pixels(from: try decode(data))
    }

    package func decode(_ data: Data) throws -> Image {
        try Image(decoding: data, maximumPixels: ImageIngest.maximumPixels)
    }

    package func pixels(from image: Image) -> [UInt8] {
        preprocessing.pixels(of: image, width: width, height: height)
    }

    /// Normalised floats (H, W, C) for the float model.
    package func values(from data: Data) throws -> [Float] {
        preprocessing.normalize(try pixels(from: data))
    }
}
