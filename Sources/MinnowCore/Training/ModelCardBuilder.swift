// The model card of a trained iteration: what the model expects and answers, its size and
// cost, and what it needs on each supported board. Board figures come from compiling the
// generated C for the board (arm-none-eabi-gcc) when the compiler is installed; otherwise
// they are estimated from the weights and the planned arena, and say so. Latency is
// instructions counted under qemu -icount (Firmware's LatencyProbe) or estimated, and says which.
import Firmware
import Foundation
import Int8Inference
import NeuralNet

package enum ModelCardBuilder {
    /// What `InputQuantizer` computes (the prediction API's input), in the card's own terms.
    package static let inputFormula =
        "q = clamp(round((p / 255 - mean[c]) / std[c] / inputScale) + inputZeroPoint, -128, 127) for the 8-bit pixel p of channel c after resizing; double precision, halves rounded away from zero"
    package static let outputFormula = "score = outputScale * (o - outputZeroPoint) for the int8 output o"

    package static func build(
        iteration: Int, task: ModelTask, model: Model, int8: Int8Model, tfliteBytes: Int,
        floatAccuracy: Double?, int8Accuracy: Double?
    ) throws -> StoredModelCard {
        let library = try CGenerator.generate(int8, name: "model")
        let weights = int8.tensors.filter { $0.constant != nil }.reduce(0) { $0 + $1.byteCount }
        let compilerAvailable = BoardBuild.compilerAvailable()
        let boards: [StoredModelCard.BoardMemory] = BoardProfile.all.map { board in
            if compilerAvailable, let report = try? BoardBuild.build(library, for: board) {
                return .init(
                    board: board.name, flashBytes: report.flashBytes, ramBytes: report.ramBytes,
                    arenaBytes: report.arenaBytes,
                    estimatedMilliseconds: report.milliseconds, fits: report.fits, measured: !report.estimated,
                    instructions: report.instructions, latencyMethod: report.latencyMethod,
                    latencyNote: report.latencyNote)
            }
            let flash = weights + 12_000, ram = library.arenaSize  // kernels' code is about 12 KB at -Os
            let latency = LatencyEstimate.latency(library, for: board, measure: false)
            return .init(
                board: board.name, flashBytes: flash, ramBytes: ram, arenaBytes: library.arenaSize,
                estimatedMilliseconds: board.milliseconds(instructions: latency.instructions),
                fits: flash <= board.flashBytes && ram <= board.ramBytes, measured: false,
                instructions: latency.instructions, latencyMethod: .estimated, latencyNote: latency.note)
        }
        let input = int8.inputTensor.quantization ?? Quantization(scale: 1, zeroPoint: 0)
        let output = int8.outputTensor.quantization ?? Quantization(scale: 1, zeroPoint: 0)
        let p = model.preprocessing
        return .init(
            iteration: iteration, architecture: model.architecture.name, task: task,
            labels: model.labels,
            input: .init(
                width: model.architecture.inputWidth, height: model.architecture.inputHeight,
                colorMode: p.color, resizeMode: p.resizeMode,
                mean: p.mean.map(Double.init), std: p.std.map(Double.init)),
            parameters: model.parameterCount, macs: library.macs, tfliteBytes: tfliteBytes,
            arenaBytes: library.arenaSize,
            quantization: .init(
                inputScale: Double(input.scale), inputZeroPoint: Int(input.zeroPoint),
                outputScale: Double(output.scale), outputZeroPoint: Int(output.zeroPoint),
                inputFormula: inputFormula, outputFormula: outputFormula),
            floatAccuracy: floatAccuracy, int8Accuracy: int8Accuracy, boards: boards)
    }
}
