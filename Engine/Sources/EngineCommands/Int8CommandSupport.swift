// Shared pieces of the int8 commands (export, inspect, run): loading a labelled image folder
// or Fashion-MNIST IDX files for calibration, preparing an image file for a model's input,
// and one-line errors.

import ArgumentParser
import Foundation
import Int8Inference
import NeuralNet
import TrainingData

enum Int8CommandSupport {
    /// Train and test images from a folder-per-class directory or a Fashion-MNIST IDX folder,
    /// fitted to `model`'s input and preprocessing.
    static func loadImages(_ directory: String, for model: Model) throws -> FolderDataset {
        let url = URL(fileURLWithPath: directory)
        if FashionMNIST.isAvailable(in: url.path) {
            let (train, test) = try FashionMNIST.load(from: url.path)
            return FolderDataset(train: train, test: test, labels: FashionMNIST.classNames)
        }
        let arch = model.architecture
        return try FolderDataset.load(
            directory: url, width: arch.inputWidth, height: arch.inputHeight, preprocessing: model.preprocessing)
    }

    /// Decodes an image file and fits it to `model`'s input (size, colour, resize mode), quantised.
    static func quantizedInput(imageAt path: String, for model: Int8Model) throws -> [Int8] {
        let shape = model.inputTensor.shape
        guard shape.count == 4 else { throw ValidationError("the model's input is not an image (shape \(shape))") }
        let preprocessing = model.preprocessing ?? Preprocessing(color: shape[3] == 3 ? .rgb : .grayscale)
        let fitted = try preprocessing.pixels(
            decoding: Data(contentsOf: URL(fileURLWithPath: path)), width: shape[2], height: shape[1])
        return model.quantizeInput(preprocessing.normalize(fitted))
    }

    /// JSON text of an Encodable value (sorted keys).
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
