// `minnow inspect MODEL.tflite`: operators, tensors with quantisation, and memory (arena of
// the Swift runtime and of generated C, weights, MACs) of an int8 model.

import ArgumentParser
import Firmware
import Foundation
import Int8Inference
import TFLite

public struct InspectModel: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an int8 .tflite's operators, tensors, quantisation and memory.",
        discussion: "Example: minnow inspect fashion.tflite --json")

    @Argument(help: ArgumentHelp("Int8 .tflite model.", valueName: "model")) var model: String
    @Flag(help: "Print one JSON object.") var json = false

    public init() {}

    struct Summary: Encodable {
        struct TensorRow: Encodable {
            var index: Int; var name: String; var type: String; var shape: [Int]; var scales: Int; var scale: Float?;
            var zeroPoint: Int32?; var constant: Bool
        }
        struct OperatorRow: Encodable { var index: Int; var op: String; var inputs: [Int]; var outputs: [Int] }
        var fileBytes: Int, weightBytes: Int, arenaBytes: Int, cArenaBytes: Int, macs: Int
        var labels: [String]
        var operators: [OperatorRow]
        var tensors: [TensorRow]
    }

    public func run() throws {
        let bytes: Data
        let int8: Int8Model
        let runtime: Int8Runtime
        do {
            guard let data = FileManager.default.contents(atPath: model) else {
                throw ValidationError("file not found")
            }
            bytes = data
            int8 = try TFLiteReader.read([UInt8](data))
            runtime = try Int8Runtime(int8)
        } catch {
            throw ValidationError("cannot load \(model): \(error)")
        }
        let library = try? CGenerator.generate(int8, name: "model")
        let summary = Summary(
            fileBytes: bytes.count,
            weightBytes: int8.tensors.compactMap { $0.constant == nil ? nil : $0.byteCount }.reduce(0, +),
            arenaBytes: runtime.arenaSize, cArenaBytes: library?.arenaSize ?? 0,
            macs: CGenerator.macCount(runtime.kernels),
            labels: int8.labels,
            operators: int8.nodes.enumerated().map {
                .init(index: $0, op: $1.op.name, inputs: $1.inputs, outputs: $1.outputs)
            },
            tensors: int8.tensors.enumerated().map { i, t in
                .init(
                    index: i, name: t.name, type: t.type.rawValue, shape: t.shape,
                    scales: t.quantization?.scales.count ?? 0,
                    scale: t.quantization?.scale, zeroPoint: t.quantization?.zeroPoint, constant: t.constant != nil)
            })
        if json {
            print(try Int8CommandSupport.json(summary))
            return
        }
        print("\(model): \(summary.fileBytes) bytes, \(summary.operators.count) operators, \(summary.macs) MACs")
        print(
            "memory: weights \(summary.weightBytes) B, arena \(summary.arenaBytes) B (Swift runtime), \(summary.cArenaBytes) B (generated C)"
        )
        if !summary.labels.isEmpty { print("labels: \(summary.labels.joined(separator: ", "))") }
        print("\noperators:")
        for row in summary.operators {
            print(
                "  \(row.index)  \(row.op.padding(toLength: 18, withPad: " ", startingAt: 0)) in \(row.inputs) out \(row.outputs)"
            )
        }
        print("\ntensors:")
        for t in summary.tensors {
            let quant =
                t.scales > 1
                ? "per-channel (\(t.scales) scales)"
                : t.scale.map { "scale \($0) zero point \(t.zeroPoint ?? 0)" } ?? "-"
            print("  \(t.index)  \(t.type) \(t.shape)\(t.constant ? " const" : "")  \(quant)  \(t.name)")
        }
    }
}
