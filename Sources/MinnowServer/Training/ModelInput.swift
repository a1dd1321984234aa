// From image bytes to what a model reads: decoded, fitted to the input size with the
// iteration's resize mode and colour, normalised. Training, evaluation, quick tests and the
// prediction API all prepare images here, so a model sees the same pixels everywhere.
import Foundation
import Imaging
import NeuralNet

struct ModelInput: Sendable {
    let width: Int
    let height: Int
    let preprocessing: Preprocessing

    init(width: Int, height: Int, preprocessing: Preprocessing) {
        self.width = width
        self.height = height
        self.preprocessing = preprocessing
    }

    init(_ configuration: TrainingDefaults.Configuration) {
        self.init(width: configuration.input.width, height: configuration.input.height,
                  preprocessing: Preprocessing(color: configuration.input.colorMode == .rgb ? .rgb : .grayscale,
                                               resizeMode: .init(rawValue: configuration.resizeMode.rawValue) ?? .squash))
    }

    var channels: Int { preprocessing.color.channels }

    /// 8-bit pixels (H, W, C) fitted to the input.
    func pixels(from data: Data) throws -> [UInt8] {
        pixels(from: try decode(data))
    }

    func decode(_ data: Data) throws -> Image {
        try Image(decoding: data, maximumPixels: ImageIngest.maximumPixels)
    }

    func pixels(from image: Image) -> [UInt8] {
        let color: Imaging.ColorMode = preprocessing.color == .grayscale ? .grayscale : .rgb
        let mode = Imaging.ResizeMode(rawValue: preprocessing.resizeMode.rawValue) ?? .squash
        return image.prepared(width: width, height: height, mode: mode, color: color).pixels
    }

    /// Normalised floats (H, W, C) for the float model.
    func values(from data: Data) throws -> [Float] {
        preprocessing.normalize(try pixels(from: data))
    }
}
