// Folder-per-class image datasets: DIR/<class>/*.{jpg,jpeg,png}, optionally split as
// DIR/train/<class>/… and DIR/test/<class>/… (the zip-import convention). Images are
// decoded with Imaging, fitted to the model input with the chosen resize mode and colour,
// and normalised. Unreadable files are skipped and reported, not fatal.

import Foundation
import Imaging
import NeuralNet

/// A decoded folder dataset.
public struct FolderDataset: Sendable {
    public var train: LabeledImages
    /// The `test/` split, or a seeded hold-out of `train` when there is none.
    public var test: LabeledImages
    /// Class names (sorted folder names); index = label.
    public var labels: [String]
    /// Files that could not be decoded, with the reason.
    public var skipped: [(path: String, reason: String)]

    static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    public init(
        train: LabeledImages, test: LabeledImages, labels: [String], skipped: [(path: String, reason: String)] = []
    ) {
        self.train = train
        self.test = test
        self.labels = labels
        self.skipped = skipped
    }

    /// Loads `directory`, fitting every image to `width`×`height` in `preprocessing`'s colour
    /// and resize mode. Without `train/` and `test/` folders, `testFraction` of the images
    /// (seeded) becomes the test split.
    public static func load(
        directory: URL, width: Int, height: Int, preprocessing: Preprocessing,
        testFraction: Float = 0.2, seed: UInt64 = 0,
        maximumPixels: Int = Image.defaultMaximumPixels
    ) throws -> FolderDataset {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.unreadable(directory.path)
        }
        let trainDir = directory.appendingPathComponent("train"), testDir = directory.appendingPathComponent("test")
        let split = fm.fileExists(atPath: trainDir.path) && fm.fileExists(atPath: testDir.path)
        let trainFiles = try classFiles(in: split ? trainDir : directory)
        let testFiles = split ? try classFiles(in: testDir) : [:]
        let labels = Set(trainFiles.keys).union(testFiles.keys).sorted()
        guard !labels.isEmpty else {
            throw DatasetError.empty("no class folders with .jpg/.png files in \(directory.path)")
        }
        var skipped: [(String, String)] = []
        func decode(_ files: [String: [URL]]) -> LabeledImages {
            var pixels: [Float] = [], targets: [Int] = []
            for (label, name) in labels.enumerated() {
                for url in files[name] ?? [] {
                    do {
                        let fitted = try preprocessing.pixels(
                            decoding: Data(contentsOf: url), width: width, height: height,
                            maximumPixels: maximumPixels)
                        pixels += preprocessing.normalize(fitted)
                        targets.append(label)
                    } catch {
                        skipped.append((url.path, "\(error)"))
                    }
                }
            }
            let channels = preprocessing.color.channels
            return LabeledImages(
                images: Tensor(shape: [targets.count, height, width, channels], data: pixels), labels: targets)
        }
        var train = decode(trainFiles)
        var test = decode(testFiles)
        if !split {
            (train, test) = train.split(fraction: testFraction, seed: seed)
        }
        guard train.count > 0 else { throw DatasetError.empty("no decodable training images in \(directory.path)") }
        return FolderDataset(train: train, test: test, labels: labels, skipped: skipped)
    }

    /// Image files per class folder of `directory`, sorted by name.
    static func classFiles(in directory: URL) throws -> [String: [URL]] {
        let fm = FileManager.default
        var result: [String: [URL]] = [:]
        for name in try fm.contentsOfDirectory(atPath: directory.path).sorted() where !name.hasPrefix(".") {
            let folder = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let files = try fm.contentsOfDirectory(atPath: folder.path).sorted()
                .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { folder.appendingPathComponent($0) }
            if !files.isEmpty { result[name] = files }
        }
        return result
    }
}
