// Datasets and iterations for the handler unit tests of labels, images, the dataset, jobs,
// iterations and their artifacts: images stored directly through `ImageIngest`, iterations
// queued (or marked trained) directly in the database.
import APITypes
import BinaryFormats
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import OpenAPIRuntime
import Testing

extension HandlerHarness {
    /// PNGs made from `seeds`, stored in `project` under `label` (and `split`, else the
    /// automatic one); their ids in order.
    @discardableResult
    func images(_ seeds: [Int], label: String?, split: SplitChoice? = nil, in project: Project) async throws -> [String]
    {
        let ingest = ImageIngest(
            db: db, projectID: try project.requireID(), threadPool: handler.dependencies.threadPool)
        var batch: [ImageIngest.Prepared] = []
        for seed in seeds {
            batch.append(
                try await ingest.prepare(
                    TestImages.png(seed: seed), fileName: "img\(seed).png", label: label, split: split, source: .upload)
            )
        }
        return try await ingest.store(batch).compactMap(\.imageId)
    }

    /// A classification project of `ownerID`'s that can train: "cat" and "dog", five training images each.
    func trainableProject(_ name: String, ownerID: UUID) async throws -> Project {
        let project = try await self.project(name, ownerID: ownerID)
        try await images(Array(0..<5), label: "cat", split: .train, in: project)
        try await images(Array(10..<15), label: "dog", split: .train, in: project)
        return project
    }

    /// An iteration of `project` queued by `ownerID` directly (not trained: no worker runs here).
    func queuedIteration(in project: Project, ownerID: UUID) async throws -> Components.Schemas.Iteration {
        let outcome = try await IterationLauncher.launch(
            project: project, ownerID: ownerID, request: TrainingRequest(note: "first"), on: db)
        guard case .started(let iteration, let job) = outcome else {
            throw HandlerHarnessError("the iteration was refused: \(outcome)")
        }
        return try iteration.api(job: job)
    }

    /// A zip of these files, as `minnow import` sends one.
    static func archive(_ files: [(name: String, content: Data)]) -> Data {
        var zip = ZipWriter()
        var archive = Data()
        for file in files { archive += zip.entry(name: file.name, content: file.content) }
        return archive + zip.finish()
    }

    /// Marks an iteration trained, with `checkpoint` and `tflite` as its stored artifacts (not real
    /// models: enough for the handlers that serve them or check the status).
    func markTrained(
        _ iterationID: String, checkpoint: Data = Data("checkpoint".utf8), tflite: Data = Data("tflite".utf8)
    ) async throws {
        let iteration = try #require(try await Iteration.find(UUID(uuidString: iterationID), on: db))
        let blobs = DatabaseBlobStore(database: db, references: BlobReferences.all)
        iteration.checkpointBlobID = try await blobs.put(checkpoint).hex
        iteration.tfliteBlobID = try await blobs.put(tflite).hex
        iteration.modelCard = "{}"
        iteration.status = .succeeded
        try await iteration.save(on: db)
    }
}

extension HTTPBody {
    /// All of a (small) response body.
    var bytes: Data {
        get async throws { try await Data(collecting: self, upTo: 64 << 20) }
    }
}

struct HandlerHarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
