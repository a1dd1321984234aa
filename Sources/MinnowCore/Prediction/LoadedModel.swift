// A trained iteration ready to answer: its int8 model prepared once for the int8 runtime
// (the same arithmetic as the board), with what is needed to read images and name answers.
// Loaded models are cached by iteration; a model never changes once trained.
import FluentKit
import Foundation
import Int8Inference
import NeuralNet
import Synchronization
import TFLite

package struct LoadedModel: Sendable {
    package let int8: Int8Model
    package let runtime: Int8Runtime
    package let input: ModelInput
    /// The model card's input formula, tabulated.
    package let quantizer: InputQuantizer
    /// Output classes (detection: background first).
    package let labels: [String]
    package let detection: Bool
    package let iterationID: UUID
    package let iterationNumber: Int

    package init(iteration: Iteration, tflite: Data, task: ModelTask) throws {
        let configuration = try iteration.storedConfiguration(), summary = try iteration.storedDatasetSummary()
        int8 = try TFLiteReader.read([UInt8](tflite))
        runtime = try Int8Runtime(int8)
        input = ModelInput(configuration)
        quantizer = InputQuantizer(preprocessing: input.preprocessing, quantization: int8.inputTensor.quantization)
        detection = task == .detection
        labels = detection ? ["background"] + summary.labels : summary.labels
        iterationID = try iteration.requireID()
        iterationNumber = iteration.number
    }

    /// The FOMO output grid (detection): cells across and down.
    package var grid: (width: Int, height: Int) { (input.width / 8, input.height / 8) }

    /// The model's answer for one image file.
    package func predict(_ data: Data, fileName: String? = nil, threshold: Double?) throws -> Prediction {
        answer(to: runtime.run(try quantizedInput(data)), fileName: fileName, threshold: threshold)
    }

    /// An image file as the model's int8 input: decoded, resized, normalised and quantised
    /// as the model card documents (the board gets exactly these bytes): see `InputQuantizer`.
    package func quantizedInput(_ data: Data) throws -> [Int8] {
        quantizer.quantize(try input.pixels(from: data))
    }

    /// A camera frame: the model's answer, decoded once, with the frame's size and difference hash.
    package func read(
        frame data: Data
    ) throws -> (prediction: Prediction, width: Int, height: Int, differenceHash: UInt64) {
        let image = try input.decode(data)
        let prediction = answer(to: runtime.run(quantizer.quantize(input.pixels(from: image))), threshold: nil)
        return (prediction, image.width, image.height, image.differenceHash())
    }

    /// What the model's raw int8 `output` means (the same whether the cloud or a board computed it).
    package func answer(to output: [Int8], fileName: String? = nil, threshold: Double?) -> Prediction {
        let scores = int8.dequantizeOutput(output)
        guard detection else {
            let best = ModelEvaluator.argmax(scores)
            return .init(
                fileName: fileName, label: labels[best],
                scores: ModelEvaluator.ranked(scores, labels: labels, threshold: Float(threshold ?? 0)))
        }
        let classes = labels.count, gridWidth = input.width / 8, gridHeight = input.height / 8
        let cells = FOMO.cellClasses(scores, classes: classes, threshold: Float(threshold ?? 0.5))
        let detections = FOMO.centroids(cellClasses: cells, height: gridHeight, width: gridWidth).map { centroid in
            let cell = min(gridHeight - 1, Int(centroid.y)) * gridWidth + min(gridWidth - 1, Int(centroid.x))
            return DetectedObject(
                label: labels[centroid.label], x: Double(centroid.x) / Double(gridWidth),
                y: Double(centroid.y) / Double(gridHeight), score: Double(scores[cell * classes + centroid.label]))
        }.sorted { $0.score > $1.score }
        var best = [Float](repeating: 0, count: classes)
        for cell in 0..<(gridWidth * gridHeight) {
            for k in 1..<classes { best[k] = max(best[k], scores[cell * classes + k]) }
        }
        let ranked = ModelEvaluator.ranked(Array(best.dropFirst()), labels: Array(labels.dropFirst()))
        return .init(fileName: fileName, label: detections.first?.label, scores: ranked, detections: detections)
    }
}

/// Loaded models by iteration id, shared by every request of a server.
package final class ModelCache: Sendable {
    private let models = Mutex<[UUID: LoadedModel]>([:])
    package let capacity: Int

    package init(capacity: Int = 32) {
        self.capacity = capacity
    }

    /// The iteration's model, loaded from its `.tflite` blob on first use.
    package func model(for iteration: Iteration, task: ModelTask, on db: any Database) async throws -> LoadedModel? {
        let id = try iteration.requireID()
        if let model = models.withLock({ $0[id] }) { return model }
        guard let blobID = iteration.tfliteBlobID, let tflite = try await Blob.find(blobID, on: db)?.content else {
            return nil
        }
        let model = try LoadedModel(iteration: iteration, tflite: tflite, task: task)
        models.withLock { models in
            if models.count >= capacity { models.removeValue(forKey: models.keys.first!) }
            models[id] = model
        }
        return model
    }

    /// Drops a deleted iteration's model: nothing can ask for it again, and a server whose
    /// deployments move on to new iterations would otherwise hold up to `capacity` dead models.
    package func forget(_ iterationID: UUID) {
        _ = models.withLock { $0.removeValue(forKey: iterationID) }
    }

    /// How many models are loaded.
    package var count: Int { models.withLock { $0.count } }
}
