// Test support: runs a model through the outside references (TFLite Micro's and LiteRT's
// Python interpreters, via tests/reference/run_reference.py in the repository's .venv) and
// loads real Fashion-MNIST inputs. In CI (CI=true) a missing tool fails the tests; on a
// developer machine without `make venv` they are skipped with the reason.

import Foundation
import Int8Inference
import TrainingData

enum ReferenceTools {
    /// The repository root (…/Engine/Tests/TFLiteTests/ReferenceTools.swift → …).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let fixtures = root + "/Engine/Tests/Fixtures"
    static let python = ProcessInfo.processInfo.environment["MINNOW_PYTHON"] ?? root + "/.venv/bin/python"
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// True when the references can run, or when running in CI (where their absence must fail).
    static var shouldRun: Bool {
        isCI || (FileManager.default.isExecutableFile(atPath: python) && FashionMNIST.isAvailable())
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs `inputs` through `engine` ("tflm" or "litert") and returns its int8 outputs;
    /// `interpreter` and `environment` choose another reference (e.g. an older TFLite Micro).
    static func run(
        engine: String, model: [UInt8], inputs: [[Int8]], interpreter python: String = python,
        environment extra: [String: String] = [:]
    ) throws -> [[Int8]] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(
                description:
                    "reference Python not found at \(python): run `make venv` (installs tflite-micro and ai-edge-litert)"
            )
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let modelURL = dir.appendingPathComponent("model.tflite"), inURL = dir.appendingPathComponent("in.bin")
        let outURL = dir.appendingPathComponent("out.bin")
        try Data(model).write(to: modelURL)
        try Data(inputs.flatMap { $0.map { UInt8(bitPattern: $0) } }).write(to: inURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            root + "/tests/reference/run_reference.py", "--engine", engine, "--input-size", "\(inputs[0].count)",
            modelURL.path, inURL.path, outURL.path,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, given in given }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "\(engine) reference failed: \(String(decoding: stderr, as: UTF8.self).suffix(2000))")
        }
        let raw = try [UInt8](Data(contentsOf: outURL)).map { Int8(bitPattern: $0) }
        let size = raw.count / inputs.count
        return (0..<inputs.count).map { Array(raw[($0 * size)..<(($0 + 1) * size)]) }
    }

    /// The first `count` Fashion-MNIST test images as floats in [0, 1] `(28·28)` and their labels.
    static func fashionTest(count: Int) throws -> (images: [[Float]], labels: [Int]) {
        let data = try FashionMNIST.load(trainLimit: 1, testLimit: count).test
        let size = data.images.itemCount
        return ((0..<data.count).map { Array(data.images.data[($0 * size)..<(($0 + 1) * size)]) }, data.labels)
    }

    /// How two sets of int8 outputs differ.
    struct Comparison: CustomStringConvertible {
        var differingFraction: Double
        var maxDifference: Int
        var topClassAgreement: Double
        var description: String {
            "\(String(format: "%.2f", differingFraction * 100))% outputs differ, max |Δ| \(maxDifference), top class agrees on \(String(format: "%.2f", topClassAgreement * 100))%"
        }
    }

    static func compare(_ a: [[Int8]], _ b: [[Int8]]) -> Comparison {
        let differing = zip(a, b).filter { $0 != $1 }.count
        let maxDifference = zip(a, b).flatMap { zip($0, $1).map { abs(Int($0) - Int($1)) } }.max() ?? 0
        let top = zip(a, b).filter { $0.firstIndex(of: $0.max()!) == $1.firstIndex(of: $1.max()!) }.count
        return Comparison(
            differingFraction: Double(differing) / Double(max(1, a.count)), maxDifference: maxDifference,
            topClassAgreement: Double(top) / Double(max(1, a.count)))
    }

    /// Quantises float images with the model's input parameters.
    static func quantize(_ images: [[Float]], for model: Int8Model) -> [[Int8]] {
        let q = model.inputTensor.quantization!
        return images.map { image in
            image.map { Int8(clamping: quantizeValue($0, scale: q.scale, zeroPoint: q.zeroPoint)) }
        }
    }
}
