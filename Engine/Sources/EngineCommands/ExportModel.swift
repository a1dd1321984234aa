// `minnow export`: quantises a checkpoint to int8 (post-training, calibrated on a sample of
// images) and writes a .tflite, a C library zip or an Arduino library zip; reports float vs
// int8 accuracy on the data's test split and, with --board, the memory report for a board.

import ArgumentParser
import Firmware
import Foundation
import Int8Inference
import NeuralNet
import TFLite
import TrainingData

public struct ExportModel: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Quantise a checkpoint to int8 and export it as .tflite, C or an Arduino library.",
        discussion: """
            --calibration DIR holds representative images (one folder per class, or Fashion-MNIST \
            IDX files); the first --calibration-count training images set the activation ranges, \
            and the test split (if any) measures float vs int8 accuracy. Boards: \
            \(BoardProfile.all.map(\.name).joined(separator: ", ")).

            Example: minnow export --checkpoint fashion.mnnw --calibration ./fashion --format c --board nano33ble -o fashion.zip
            """)

    @Option(help: ArgumentHelp("Checkpoint written by train-local or the server.", valueName: "file")) var checkpoint:
        String
    @Option(help: ArgumentHelp("Output format: tflite, c or arduino.", valueName: "format")) var format: String =
        "tflite"
    @Option(help: ArgumentHelp("Board for the memory report (c and arduino).", valueName: "name")) var board: String?
    @Option(help: ArgumentHelp("Directory of representative images.", valueName: "dir")) var calibration: String
    @Option(help: "Calibration images used.") var calibrationCount: Int = 500
    @Option(
        help: ArgumentHelp(
            "C identifier prefix of the generated API (default: from the output file name).", valueName: "name"))
    var name: String?
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output file.", valueName: "file")) var out: String
    @Flag(help: "End with one JSON line: accuracies, sizes, memory report.") var json = false

    public init() {}

    public func validate() throws {
        guard ["tflite", "c", "arduino"].contains(format) else {
            throw ValidationError("--format must be tflite, c or arduino")
        }
        if let board, BoardProfile.named(board) == nil {
            throw ValidationError(
                "unknown --board '\(board)'; choose one of: \(BoardProfile.all.map(\.name).joined(separator: ", "))")
        }
        guard calibrationCount >= 1 else { throw ValidationError("--calibration-count must be at least 1") }
    }

    struct Summary: Encodable {
        var format: String, out: String, bytes: Int
        var floatAccuracy: Float?, int8Accuracy: Float?
        var arenaBytes: Int
        var memory: MemoryReport?
    }

    public func run() throws {
        let model: Model
        do { model = try Checkpoint.load(from: URL(fileURLWithPath: checkpoint)).model } catch {
            throw ValidationError("cannot read --checkpoint \(checkpoint): \(error)")
        }
        let data: FolderDataset
        do { data = try Int8CommandSupport.loadImages(calibration, for: model) } catch {
            throw ValidationError("cannot load --calibration \(calibration): \(error)")
        }
        let int8 = try PostTrainingQuantizer.quantize(
            model, calibration: data.train.images,
            options: QuantizationOptions(calibrationCount: calibrationCount))
        let runtime = try Int8Runtime(int8)
        var summary = Summary(format: format, out: out, bytes: 0, arenaBytes: runtime.arenaSize)
        if data.test.count > 0, model.architecture.task == .classification {
            summary.floatAccuracy = model.report(on: data.test).accuracy
            summary.int8Accuracy = runtime.accuracy(on: data.test)
            print(
                "accuracy on \(data.test.count) test images: float \(summary.floatAccuracy!), int8 \(summary.int8Accuracy!)"
            )
        }
        let bytes: [UInt8]
        switch format {
        case "tflite":
            bytes = try TFLiteWriter.serialize(int8)
        default:
            let library = try CGenerator.generate(
                int8, name: name ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent)
            if let board = board.flatMap(BoardProfile.named) {
                summary.memory = try BoardBuild.build(library, for: board)
                let m = summary.memory!
                print(
                    "\(board.displayName): flash \(m.flashBytes) B, RAM \(m.ramBytes) B (arena \(m.arenaBytes) B), "
                        + "\(m.macs) MACs, \(m.instructions) instructions ≥ \(String(format: "%.1f", m.milliseconds)) ms\(m.estimated ? " (size estimate)" : ""), "
                        + (m.fits ? "fits" : "does NOT fit") + "\n  latency: \(m.latencyNote)")
            }
            if format == "c" {
                bytes = Packages.cLibraryZip(library, reports: summary.memory.map { [$0] } ?? [])
            } else {
                let sample = data.test.count > 0 ? data.test : data.train
                let size = sample.images.itemCount
                let label = sample.labels.first.flatMap { $0 < data.labels.count ? data.labels[$0] : nil }
                bytes = Packages.arduinoLibraryZip(
                    library, sampleInput: int8.quantizeInput(Array(sample.images.data[0..<size])), sampleLabel: label)
            }
        }
        do { try Data(bytes).write(to: URL(fileURLWithPath: out)) } catch {
            throw ValidationError("cannot write -o \(out): \(error.localizedDescription)")
        }
        summary.bytes = bytes.count
        print("wrote \(out) (\(bytes.count) bytes)")
        if json { print(try Int8CommandSupport.json(summary)) }
    }
}
