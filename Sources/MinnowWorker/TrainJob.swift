// The train job: loads the iteration's frozen snapshot, trains the model on a thread of its
// own (streaming progress and epochs into the event log), evaluates float and int8 on the
// test split, quantises, builds the model card, and stores checkpoint, .tflite and results
// in one transaction that only commits while this worker still holds the job.
import FluentKit
import Foundation
import Int8Inference
import MinnowCore
import NeuralNet
import SQLKit
import TFLite

package struct TrainJob {
    package let context: JobContext

    package func run() async throws {
        let iteration = try await context.iteration()
        let project = try await Project.find(iteration.$project.id, on: context.db)
        guard let project else { throw JobFailure("The project was deleted.") }
        let configuration = try iteration.storedConfiguration(), summary = try iteration.storedDatasetSummary()
        let detection = project.task == .detection
        let waited = Date().timeIntervalSince(context.job.createdAt ?? Date())
        try await context.event(
            .init(
                kind: .status, status: .running,
                message: String(
                    format: "Attempt %d on worker %@ (%.2f s after it was queued).", context.job.attempts,
                    context.worker.id, waited)))
        try await context.updateIteration {
            $0.status = .running; $0.startedAt = $0.startedAt ?? Date(); $0.error = nil
        }

        // The snapshot, decoded to the model's input.
        let loader = LabeledSetLoader(input: ModelInput(configuration), labels: summary.labels, detection: detection)
        let loading = Date()
        let (train, test) = try await load(iterationID: iteration.requireID(), loader: loader)
        try context.control.checkpoint()
        try await context.log(
            String(
                format: "Decoded %d training and %d test images at %dx%d %@ in %.2f s.", train.data.count,
                test.data.count,
                configuration.input.width, configuration.input.height, configuration.input.colorMode.rawValue,
                Date().timeIntervalSince(loading)))

        // Training on a thread of its own; progress flows back through a stream.
        let (events, sink) = AsyncStream<JobEvents.Draft>.makeStream()
        let reporter = _Concurrency.Task { await ProgressReporter(context: context).consume(events) }
        let control = context.control
        let task = project.task, number = iteration.number
        let outcome: TrainingOutcome
        do {
            outcome = try await BlockingThread.run {
                try TrainingRun(
                    configuration: configuration, labels: summary.labels, detection: detection, train: train, test: test
                )
                .execute(iteration: number, task: task, sink: sink, shouldStop: { control.shouldStop })
            }
        } catch {
            sink.finish()
            await reporter.value
            throw error
        }
        sink.finish()
        await reporter.value
        try context.control.checkpoint()

        let checkpoint = try await context.blobs.put(outcome.checkpoint)
        let tflite = try await context.blobs.put(outcome.tflite)
        let results = try JSONText.encode(outcome.results), card = try JSONText.encode(outcome.modelCard)
        let iterationID = try iteration.requireID()
        let jobID = context.jobID
        let message = outcome.summary
        try await context.worker.queue.finish(jobID, worker: context.worker.id, status: .succeeded) { tx in
            try await Iteration.query(on: tx).filter(\.$id == iterationID)
                .set(\.$status, to: .succeeded).set(\.$results, to: results).set(\.$modelCard, to: card)
                .set(\.$checkpointBlobID, to: checkpoint.hex).set(\.$tfliteBlobID, to: tflite.hex)
                .set(\.$finishedAt, to: Date()).set(\.$error, to: nil).update()
            try await JobEvents.append(.init(kind: .status, status: .succeeded, message: message), to: jobID, on: tx)
        }
        context.logger.info("iteration trained", metadata: ["iteration": "\(iterationID)", "summary": "\(message)"])
    }

    /// The snapshot's train and test splits. A snapshot image that cannot be decoded fails the
    /// job (training on fewer images than were frozen would not be reproducible). Rows and
    /// their images' bytes come in one plain-SQL query (the first step waits on it).
    private func load(iterationID: UUID, loader: LabeledSetLoader) async throws -> (train: DecodedSet, test: DecodedSet)
    {
        let snapshot = IterationImage.schema
        let rows = try await (context.db as! any SQLDatabase).select()
            .columns(
                SQLColumn("image_id", table: snapshot), SQLColumn("file_name", table: snapshot),
                SQLColumn("label", table: snapshot),
                SQLColumn("boxes", table: snapshot), SQLColumn("split", table: snapshot),
                SQLColumn("blob_id", table: snapshot), SQLColumn("content", table: Blob.schema)
            )
            .from(snapshot)
            .join(
                Blob.schema, method: SQLJoinMethod.left, on: SQLColumn("blob_id", table: snapshot), .equal,
                SQLColumn("id", table: Blob.schema)
            )
            .where(SQLColumn("iteration_id", table: snapshot), .equal, SQLBind(iterationID))
            .orderBy(SQLColumn("image_id", table: snapshot))
            .all()
        try context.control.checkpoint()
        var items: [LabeledItem] = [], content: [String: Data] = [:]
        for row in rows {
            let boxes =
                try row.decode(column: "boxes", as: String?.self).map { try JSONText.decode([BoxSpec].self, from: $0) }
                ?? []
            let blobID = try row.decode(column: "blob_id", as: String.self)
            items.append(
                LabeledItem(
                    imageID: try row.decode(column: "image_id", as: UUID.self),
                    fileName: try row.decode(column: "file_name", as: String.self),
                    blobID: blobID, label: try row.decode(column: "label", as: String?.self), boxes: boxes,
                    split: try row.decode(column: "split", as: ImageSplit.self)))
            content[blobID] = try row.decode(column: "content", as: Data?.self)  // nil: the blob is missing
        }
        let contentByBlob = content
        let trainItems = items.filter { $0.split == .train }, testItems = items.filter { $0.split == .test }
        let (train, test) = await _Concurrency.Task.detached {
            (
                loader.decode(trainItems) { trainItems[$0].blobID.flatMap { contentByBlob[$0] } },
                loader.decode(testItems) { testItems[$0].blobID.flatMap { contentByBlob[$0] } }
            )
        }.value
        if let bad = (train.skipped + test.skipped).first {
            let more = train.skipped.count + test.skipped.count - 1
            throw JobFailure(
                "Image \"\(bad.fileName)\" of the snapshot is unusable: \(bad.reason)\(more > 0 ? " (and \(more) more)" : ""). Remove or replace it and train a new iteration."
            )
        }
        guard train.data.count > 0 else { throw JobFailure("The snapshot has no training images.") }
        return (train, test)
    }

    package init(context: JobContext) {
        self.context = context
    }
}

/// What a finished training run hands back (everything Sendable; the model stays on its thread).
package struct TrainingOutcome: Sendable {
    package var checkpoint: Data
    package var tflite: Data
    package var results: StoredIterationResults
    package var modelCard: StoredModelCard
    package var summary: String

    package init(
        checkpoint: Data, tflite: Data, results: StoredIterationResults, modelCard: StoredModelCard, summary: String
    ) {
        self.checkpoint = checkpoint
        self.tflite = tflite
        self.results = results
        self.modelCard = modelCard
        self.summary = summary
    }
}
