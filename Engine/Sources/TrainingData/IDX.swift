// IDX files (the MNIST / Fashion-MNIST format), optionally gzip-compressed, and the
// Fashion-MNIST set as shipped by Debian's dataset-fashion-mnist package. Reads whole
// files; not a streaming reader.

import SystemZlib
import Foundation
import NeuralNet

/// Errors reading dataset files.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case malformed(String)
    case empty(String)

    public var description: String {
        switch self {
        case let .unreadable(path): "cannot read \(path)"
        case let .malformed(why): "malformed dataset: \(why)"
        case let .empty(why): "no usable images: \(why)"
        }
    }
}

public enum IDX {
    /// The bytes of a file, gunzipped if it is gzip-compressed (zlib reads both).
    public static func readMaybeGzip(_ path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else { throw DatasetError.unreadable(path) }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 { throw DatasetError.unreadable(path) }
            if read == 0 { break }
            bytes += chunk[0..<Int(read)]
        }
        return bytes
    }

    /// Parses an IDX file of unsigned bytes: returns its dimensions and values.
    public static func parse(_ bytes: [UInt8]) throws -> (dimensions: [Int], values: ArraySlice<UInt8>) {
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08 else {
            throw DatasetError.malformed("not an unsigned-byte IDX file")
        }
        let rank = Int(bytes[3])
        guard bytes.count >= 4 + 4 * rank else { throw DatasetError.malformed("truncated IDX header") }
        let dimensions = (0..<rank).map { index -> Int in
            let at = 4 + 4 * index
            return Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        let start = 4 + 4 * rank
        let count = dimensions.reduce(1, *)
        guard bytes.count - start == count else {
            throw DatasetError.malformed("IDX holds \(bytes.count - start) values, header says \(count)")
        }
        return (dimensions, bytes[start...])
    }

    /// Images `(N, H, W, 1)` scaled to [0, 1] and labels from an IDX image/label file pair.
    public static func load(
        images imagesPath: String, labels labelsPath: String, limit: Int? = nil
    ) throws -> LabeledImages {
        let (dims, pixels) = try parse(readMaybeGzip(imagesPath))
        let (labelDims, labels) = try parse(readMaybeGzip(labelsPath))
        guard dims.count == 3, labelDims.count == 1, dims[0] == labelDims[0] else {
            throw DatasetError.malformed("image/label files do not match (\(dims) vs \(labelDims))")
        }
        let n = min(dims[0], limit ?? dims[0])
        let size = dims[1] * dims[2]
        let values = pixels.prefix(n * size).map { Float($0) / 255 }
        return LabeledImages(
            images: Tensor(shape: [n, dims[1], dims[2], 1], data: values),
            labels: labels.prefix(n).map { Int($0) })
    }
}

/// Fashion-MNIST (Debian package `dataset-fashion-mnist`).
public enum FashionMNIST {
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// True if the dataset files are installed.
    public static func isAvailable(in directory: String = defaultDirectory) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/train-images-idx3-ubyte.gz")
    }

    /// The 60,000 training and 10,000 test images, scaled to [0, 1].
    public static func load(
        from directory: String = defaultDirectory, trainLimit: Int? = nil,
        testLimit: Int? = nil
    ) throws -> (train: LabeledImages, test: LabeledImages) {
        let train = try IDX.load(
            images: directory + "/train-images-idx3-ubyte.gz",
            labels: directory + "/train-labels-idx1-ubyte.gz", limit: trainLimit)
        let test = try IDX.load(
            images: directory + "/t10k-images-idx3-ubyte.gz",
            labels: directory + "/t10k-labels-idx1-ubyte.gz", limit: testLimit)
        return (train, test)
    }
}
