// Observations from boards: the bridge posts the raw int8 outputs a board printed; the
// server names them with the model installed on the device (labels and scores, the same
// reading the prediction API gives the same output), and lists them newest first.
import FluentKit
import Foundation

package struct DeviceObservations {
    package let db: any Database
    package let models: ModelCache

    package struct Draft {
        package var output: [Int]
        package var ticks: Int?
        package var inputSHA256: String?
        package var imageID: UUID?
        package var observedAt: Date?

        package init(
            output: [Int], ticks: Int? = nil, inputSHA256: String? = nil, imageID: UUID? = nil, observedAt: Date? = nil
        ) {
            self.output = output
            self.ticks = ticks
            self.inputSHA256 = inputSHA256
            self.imageID = imageID
            self.observedAt = observedAt
        }
    }

    package func list(for device: Device, page: Paging) async throws -> (items: [Observation], total: Int) {
        try await Observation.query(on: db).filter(\.$device.$id == device.requireID())
            .with(\.$iteration).sort(\.$receivedAt, .descending).sort(\.$id).page(page)
    }

    package func record(
        _ drafts: [Draft], from device: Device, in project: Project
    ) async throws -> Result<[Observation], DomainFailure> {
        guard let iteration = try await device.$installedIteration.get(on: db),
            let model = try await models.model(for: iteration, task: project.task, on: db)
        else {
            return .failure(
                .conflict(
                    "Device \(device.name) has no installed model to read its outputs with; install one first.",
                    field: nil))
        }
        let outputSize = model.runtime.outputCount
        for (index, draft) in drafts.enumerated() {
            guard draft.output.count == outputSize, draft.output.allSatisfy({ (-128...127).contains($0) }) else {
                return .failure(
                    .invalid(
                        "items[\(index)].output has \(draft.output.count) values; the installed model answers \(outputSize) int8 values (−128…127).",
                        field: "items"))
            }
        }
        let now = Date()
        let checks = DeviceCheckInputs(db: db, models: models)
        var cloudOutputs: [UUID: [Int8]] = [:]
        for imageID in Set(drafts.compactMap(\.imageID)) {
            cloudOutputs[imageID] = try await checks.cloudOutput(for: imageID, of: iteration, model: model)
        }
        let observations = try drafts.map { draft in
            let answer = model.answer(to: draft.output.map { Int8($0) }, threshold: nil)
            let observation = Observation()
            observation.$project.id = try project.requireID()
            observation.$device.id = try device.requireID()
            observation.$iteration.id = try iteration.requireID()
            observation.label = answer.label
            observation.scores = answer.scores.map(StoredLabelScore.init)
            observation.output = draft.output
            observation.ticks = draft.ticks
            observation.inputSHA256 = draft.inputSHA256
            observation.imageID = draft.imageID
            observation.matchesCloud = draft.imageID.flatMap { cloudOutputs[$0] }.map {
                $0.map(Int.init) == draft.output
            }
            observation.observedAt = draft.observedAt
            observation.receivedAt = now
            observation.$iteration.value = iteration
            return observation
        }
        try await db.transaction { tx in
            for observation in observations { try await observation.create(on: tx) }
            device.lastSeenAt = now
            try await device.save(on: tx)
        }
        return .success(observations)
    }

    package init(db: any Database, models: ModelCache) {
        self.db = db
        self.models = models
    }
}
