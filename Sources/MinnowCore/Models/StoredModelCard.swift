// The stored form of an iteration's model card (see IterationRecords.swift for why the stored
// forms are the server's own types); `API/StoredRecords+API.swift` turns it into the wire type.
import Firmware
import Foundation
import Imaging
import NeuralNet

/// What a trained model expects and answers, its size and cost, and what it needs on each board.
package struct StoredModelCard: Codable, Sendable, Equatable {
    package struct Input: Codable, Sendable, Equatable {
        package var width: Int
        package var height: Int
        package var colorMode: ColorMode
        package var resizeMode: ResizeMode
        package var mean: [Double]
        package var std: [Double]

        package enum CodingKeys: String, CodingKey {
            case width = "width", height = "height", colorMode = "colorMode", resizeMode = "resizeMode", mean = "mean",
                std = "std"
        }

        package init(
            width: Int, height: Int, colorMode: ColorMode, resizeMode: ResizeMode, mean: [Double], std: [Double]
        ) {
            self.width = width
            self.height = height
            self.colorMode = colorMode
            self.resizeMode = resizeMode
            self.mean = mean
            self.std = std
        }
    }

    package struct Quantization: Codable, Sendable, Equatable {
        package var inputScale: Double
        package var inputZeroPoint: Int
        package var outputScale: Double
        package var outputZeroPoint: Int
        package var inputFormula: String?
        package var outputFormula: String?

        package enum CodingKeys: String, CodingKey {
            case inputScale = "inputScale", inputZeroPoint = "inputZeroPoint", outputScale = "outputScale"
            case outputZeroPoint = "outputZeroPoint", inputFormula = "inputFormula", outputFormula = "outputFormula"
        }

        package init(
            inputScale: Double, inputZeroPoint: Int, outputScale: Double, outputZeroPoint: Int,
            inputFormula: String? = nil, outputFormula: String? = nil
        ) {
            self.inputScale = inputScale
            self.inputZeroPoint = inputZeroPoint
            self.outputScale = outputScale
            self.outputZeroPoint = outputZeroPoint
            self.inputFormula = inputFormula
            self.outputFormula = outputFormula
        }
    }

    package struct BoardMemory: Codable, Sendable, Equatable {
        package var board: String
        package var flashBytes: Int
        package var ramBytes: Int
        package var arenaBytes: Int
        package var estimatedMilliseconds: Double
        package var fits: Bool
        /// True when the sizes come from compiling the generated C for the board.
        package var measured: Bool
        package var instructions: Int?
        package var latencyMethod: LatencyMethod?
        package var latencyNote: String?

        package enum CodingKeys: String, CodingKey {
            case board = "board", flashBytes = "flashBytes", ramBytes = "ramBytes", arenaBytes = "arenaBytes"
            case estimatedMilliseconds = "estimatedMilliseconds", fits = "fits", measured = "measured"
            case instructions = "instructions", latencyMethod = "latencyMethod", latencyNote = "latencyNote"
        }

        package init(
            board: String, flashBytes: Int, ramBytes: Int, arenaBytes: Int, estimatedMilliseconds: Double, fits: Bool,
            measured: Bool, instructions: Int? = nil, latencyMethod: LatencyMethod? = nil, latencyNote: String? = nil
        ) {
            self.board = board
            self.flashBytes = flashBytes
            self.ramBytes = ramBytes
            self.arenaBytes = arenaBytes
            self.estimatedMilliseconds = estimatedMilliseconds
            self.fits = fits
            self.measured = measured
            self.instructions = instructions
            self.latencyMethod = latencyMethod
            self.latencyNote = latencyNote
        }
    }

    package var iteration: Int
    package var architecture: String
    package var task: ModelTask
    package var labels: [String]
    package var input: Input
    package var parameters: Int
    package var macs: Int
    package var tfliteBytes: Int
    package var arenaBytes: Int
    package var quantization: Quantization
    package var floatAccuracy: Double?
    package var int8Accuracy: Double?
    package var boards: [BoardMemory]

    package enum CodingKeys: String, CodingKey {
        case iteration = "iteration", architecture = "architecture", task = "task", labels = "labels", input = "input"
        case parameters = "parameters", macs = "macs", tfliteBytes = "tfliteBytes", arenaBytes = "arenaBytes"
        case quantization = "quantization", floatAccuracy = "floatAccuracy", int8Accuracy = "int8Accuracy", boards =
            "boards"
    }

    package init(
        iteration: Int, architecture: String, task: ModelTask, labels: [String], input: Input, parameters: Int,
        macs: Int, tfliteBytes: Int, arenaBytes: Int, quantization: Quantization, floatAccuracy: Double? = nil,
        int8Accuracy: Double? = nil, boards: [BoardMemory]
    ) {
        self.iteration = iteration
        self.architecture = architecture
        self.task = task
        self.labels = labels
        self.input = input
        self.parameters = parameters
        self.macs = macs
        self.tfliteBytes = tfliteBytes
        self.arenaBytes = arenaBytes
        self.quantization = quantization
        self.floatAccuracy = floatAccuracy
        self.int8Accuracy = int8Accuracy
        self.boards = boards
    }
}
