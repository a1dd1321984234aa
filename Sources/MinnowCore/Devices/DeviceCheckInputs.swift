// On-device checks: after an install the bridge runs a few of the iteration's test images on
// the board. The server hands out their int8 inputs (preprocessed and quantised exactly as
// the prediction API does) and, when the board's outputs come back as observations, runs the
// same inputs itself and records whether the board matched, byte for byte.
import FluentKit
import Foundation
import NeuralNet

package struct DeviceCheckInputs {
    package let db: any Database
    package let models: ModelCache

    package struct Input {
        package var image: IterationImage
        package var input: [Int8]

        package init(image: IterationImage, input: [Int8]) {
            self.image = image
            self.input = input
        }
    }

    /// The first `count` test images of the iteration's snapshot, by file name.
    package func inputs(of iteration: Iteration, task: ModelTask, count: Int) async throws -> [Input] {
        guard let model = try await models.model(for: iteration, task: task, on: db) else { return [] }
        let images = try await IterationImage.query(on: db).filter(\.$iteration.$id == iteration.requireID())
            .filter(\.$split == ImageSplit.test).sort(\.$fileName).limit(count).all()
        return try await withBlobs(images).compactMap { image, data in
            (try? model.quantizedInput(data)).map { Input(image: image, input: $0) }
        }
    }

    /// What the server's own int8 runtime answers for the check input of `imageID`, or nil
    /// when the image is not in the iteration's snapshot.
    package func cloudOutput(for imageID: UUID, of iteration: Iteration, model: LoadedModel) async throws -> [Int8]? {
        guard
            let image = try await IterationImage.query(on: db).filter(\.$iteration.$id == iteration.requireID())
                .filter(\.$imageID == imageID).first(),
            let (_, data) = try await withBlobs([image]).first
        else { return nil }
        return model.runtime.run(try model.quantizedInput(data))
    }

    private func withBlobs(_ images: [IterationImage]) async throws -> [(IterationImage, Data)] {
        let blobs = try await Blob.query(on: db).filter(\.$id ~~ images.map(\.blobID)).all()
        let content = Dictionary(
            blobs.compactMap { blob in blob.id.map { ($0, blob.content) } }, uniquingKeysWith: { first, _ in first })
        return images.compactMap { image in content[image.blobID].map { (image, $0) } }
    }

    package init(db: any Database, models: ModelCache) {
        self.db = db
        self.models = models
    }
}
