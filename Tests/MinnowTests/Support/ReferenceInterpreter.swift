// TensorFlow Lite Micro's Python interpreter (tests/reference/run_reference.py in the
// repository's .venv, created by `make test`) as the outside reference for int8 answers.
import Foundation
import Testing

enum ReferenceInterpreter {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs `inputs` (concatenated int8 inputs of `inputSize` each) and returns the concatenated int8 outputs.
    static func tflm(model: Data, inputs: [Int8], inputSize: Int) async throws -> [Int8] {
        let python = ProcessInfo.processInfo.environment["MINNOW_PYTHON"] ?? root + "/.venv/bin/python"
        try #require(
            FileManager.default.isExecutableFile(atPath: python), "no reference Python at \(python): run `make venv`")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let modelFile = dir.appendingPathComponent("model.tflite"), inFile = dir.appendingPathComponent("in.bin"),
            outFile = dir.appendingPathComponent("out.bin")
        try model.write(to: modelFile)
        try Data(inputs.map { UInt8(bitPattern: $0) }).write(to: inFile)
        let result = try await ExternalProcess.run(
            python,
            [
                root + "/tests/reference/run_reference.py", "--engine", "tflm", "--input-size", "\(inputSize)",
                modelFile.path, inFile.path, outFile.path,
            ])
        try #require(result.status == 0, "TFLite Micro failed: \(result.stderr.suffix(2000))")
        return try [UInt8](Data(contentsOf: outFile)).map { Int8(bitPattern: $0) }
    }
}
