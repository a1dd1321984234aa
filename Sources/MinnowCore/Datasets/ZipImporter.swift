// Imports a zip (read by `ZipReader`, which contains hostile archives) into a project: the
// images are added through `ImageIngest` like any upload, in batches, and every entry is
// reported.
import Foundation
import NeuralNet

package struct ZipImporter {
    package let ingest: ImageIngest
    package let reader: ZipReader
    /// Called after each stored batch with (entries processed, entries in the archive).
    package var progress: @Sendable (Int, Int) async -> Void = { _, _ in }

    package init(ingest: ImageIngest, task: ModelTask) {
        self.ingest = ingest
        self.reader = ZipReader(task: task)
    }

    package func importArchive(at url: URL) async throws -> StoredImportReport {
        var outcomes: [FileOutcome] = []
        // Extracted entries wait here until a batch is decoded in parallel and stored at once.
        var pending: [ZipReader.Entry] = []
        var position = (processed: 0, total: 0)
        func flush() async throws {
            var prepared = try await ingest.prepareAll(
                pending.map { ($0.content, $0.fileName, $0.placement.label, $0.placement.split) }, source: .import)
            for index in prepared.indices { prepared[index].boxes = pending[index].boxes }
            for (entry, var outcome) in zip(pending, try await ingest.store(prepared)) {
                outcome.fileName = entry.path
                outcomes.append(outcome)
            }
            pending = []
            await progress(position.processed, position.total)
        }
        let entries = try await reader.read(
            at: url,
            image: { entry, processed, total in
                position = (processed, total)
                pending.append(entry)
                if pending.count >= 128 { try await flush() }
            },
            rejected: { path, reason in
                outcomes.append(.init(fileName: path, status: .rejected, reason: reason))
            })
        position.processed = entries
        try await flush()
        return StoredImportReport(files: outcomes, entries: entries)
    }
}
