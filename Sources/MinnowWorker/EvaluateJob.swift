// The evaluate job: runs a trained iteration on other labelled images — an uploaded zip
// (kept as a blob until the job is deleted) or another project of the same owner — and
// reports float and int8 results. Nothing is added to any dataset.
import FluentKit
import Foundation
import Int8Inference
import MinnowCore
import NeuralNet
import TFLite

package struct EvaluateJob {
    package let context: JobContext

    package func run() async throws {
        let iteration = try await context.iteration()
        guard iteration.status == .succeeded, let checkpointID = iteration.checkpointBlobID,
            let tfliteID = iteration.tfliteBlobID,
            let checkpoint = try await Blob.find(checkpointID, on: context.db)?.content,
            let tflite = try await Blob.find(tfliteID, on: context.db)?.content
        else { throw JobFailure("Iteration \(iteration.number) has no trained model to evaluate.") }
        guard let project = try await Project.find(iteration.$project.id, on: context.db) else {
            throw JobFailure("The project was deleted.")
        }
        let configuration = try iteration.storedConfiguration(), summary = try iteration.storedDatasetSummary()
        let detection = project.task == .detection
        try await context.event(
            .init(kind: .status, status: .running, message: "Evaluating iteration \(iteration.number)."))

        var rejected: [(fileName: String, reason: String)] = []
        let items = try await items(detection: detection, rejected: &rejected)
        try context.control.checkpoint()
        let loader = LabeledSetLoader(input: ModelInput(configuration), labels: summary.labels, detection: detection)
        let iterationID = try iteration.requireID()
        let unreadable = rejected
        let report = try await BlockingThread.run { () throws -> StoredEvaluationReport in
            let set = loader.decode(items.items.map(\.item)) { items.content[items.items[$0].path] }
            let model = try Checkpoint.decode(checkpoint).model
            let int8 = try TFLiteReader.read([UInt8](tflite))
            let evaluator = ModelEvaluator(
                model: model, int8: int8, runtime: try Int8Runtime(int8), labels: model.labels, detection: detection)
            let outcome = evaluator.evaluate(set, misclassifiedLimit: 0)
            return .init(
                iterationId: iterationID.apiString, images: set.data.count,
                skipped: (unreadable + set.skipped).map { .init(fileName: $0.fileName, reason: $0.reason) },
                float: outcome.float, int8: outcome.int8)
        }
        let result = try JSONText.encode(report)
        let jobID = context.jobID
        let accuracy = report.int8.accuracy ?? report.int8.f1 ?? 0
        try await context.worker.queue.finish(jobID, worker: context.worker.id, status: .succeeded, result: result) {
            tx in
            try await JobEvents.append(
                .init(
                    kind: .status, status: .succeeded,
                    message: String(format: "Evaluated on %d images: %.2f%% int8.", report.images, accuracy * 100)),
                to: jobID, on: tx)
        }
    }

    /// The labelled images, and their bytes keyed by the item's path.
    private func items(
        detection: Bool, rejected: inout [(fileName: String, reason: String)]
    ) async throws -> (items: [PathItem], content: [String: Data]) {
        if let blobID = context.job.inputBlobID {
            guard let archive = try await Blob.find(blobID, on: context.db)?.content else {
                throw JobFailure("The uploaded archive is gone.")
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "minnow-evaluate-\(UUID().uuidString).zip")
            try archive.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            var items: [PathItem] = [], content: [String: Data] = [:], skipped: [(String, String)] = []
            do {
                try await ZipReader(task: detection ? .detection : .classification).read(
                    at: file,
                    image: { entry, _, _ in
                        let boxes = entry.boxes
                        guard entry.placement.label != nil || !boxes.isEmpty else {
                            skipped.append((entry.path, "it has no label")); return
                        }
                        items.append(
                            PathItem(
                                path: entry.path,
                                item: LabeledItem(
                                    fileName: entry.path, label: entry.placement.label, boxes: boxes, split: .test)))
                        content[entry.path] = entry.content
                    }, rejected: { path, reason in skipped.append((path, reason)) })
            } catch ZipReader.Refusal.notAZip {
                throw JobFailure("The file is not a readable zip archive.")
            } catch ZipReader.Refusal.tooManyEntries(let count, let limit) {
                throw JobFailure("The archive has \(count) entries; at most \(limit) are accepted.")
            }
            rejected += skipped
            return (items, content)
        }
        let payload = try JSONText.decode(JobPayload.Evaluate.self, from: context.job.payload ?? "{}")
        guard let projectID = payload.projectId else { throw JobFailure("The job names nothing to evaluate on.") }
        var query = DatasetImage.query(on: context.db).filter(\.$project.$id == projectID).with(\.$boxes)
        if let split = payload.split { query = query.filter(\.$split == split) }
        let images = try await query.sort(\.$createdAt).all()
        var items: [PathItem] = [], content: [String: Data] = [:]
        for chunk in stride(from: 0, to: images.count, by: 256).map({ images[$0..<min($0 + 256, images.count)] }) {
            try context.control.checkpoint()
            let blobs = try await Blob.query(on: context.db).filter(\.$id ~~ chunk.map(\.blobID)).all()
            let byID = Dictionary(blobs.map { ($0.id!, $0.content) }, uniquingKeysWith: { a, _ in a })
            for image in chunk {
                let boxes = image.boxes.map {
                    BoxSpec(label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height)
                }
                guard image.label != nil || !boxes.isEmpty else { continue }
                let key = try image.requireID().apiString
                items.append(
                    PathItem(
                        path: key,
                        item: LabeledItem(
                            imageID: image.id, fileName: image.fileName, label: image.label, boxes: boxes,
                            split: image.split)))
                content[key] = byID[image.blobID]
            }
        }
        return (items, content)
    }

    package struct PathItem: Sendable {
        package var path: String
        package var item: LabeledItem

        package init(path: String, item: LabeledItem) {
            self.path = path
            self.item = item
        }
    }

    package init(context: JobContext) {
        self.context = context
    }
}
