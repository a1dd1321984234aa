// Starts an iteration: checks that the dataset can train, resolves the configuration,
// freezes the snapshot (every labelled image's blob, label, boxes and split, as they are
// now) and queues the train job. Reads happen first; the writes then go in one transaction
// that starts with a write (so SQLite takes its write lock at once instead of failing a
// read-then-write transaction that a worker's write overtook).
import APITypes
import Fluent
import Foundation
import SQLKit

enum IterationLauncher {
    enum Outcome {
        case started(Iteration, Job)
        case refused(String)
    }

    static func launch(project: Project, ownerID: UUID, input: Components.Schemas.TrainingConfigurationInput?, on db: any Database) async throws -> Outcome {
        let projectID = try project.requireID()
        let analysis = DatasetAnalyzer.analyze(try await DatasetSnapshot.load(projectID: projectID, on: db), task: project.task)
        guard analysis.readyToTrain else {
            let reasons = analysis.problems.filter { [.empty, .tooFewExamples, .singleLabel].contains($0.kind) }.map(\.message)
            return .refused("The dataset cannot train yet: " + reasons.joined(separator: " "))
        }
        let rows = try await snapshotRows(projectID: projectID, detection: project.task == "detection", on: db)
        let labels = analysis.labels.map(\.label)
        let perLabelTrain = analysis.labels.map(\.train).min() ?? 0
        let configuration: Components.Schemas.TrainingConfiguration
        do {
            configuration = try TrainingDefaults.resolve(input, project: project, classes: labels.count,
                                                         trainImagesPerLabel: perLabelTrain, trainImages: rows.count { $0.split == "train" })
        } catch {
            return .refused(error.message)
        }
        if let note = input?.note, note.count > 200 { return .refused("note must be at most 200 characters.") }
        let summary = Components.Schemas.DatasetSummary(images: rows.count, train: rows.count { $0.split == "train" },
                                                        test: rows.count { $0.split == "test" }, labels: labels)
        let number = (try await Iteration.query(on: db).filter(\.$project.$id == projectID).max(\.$number) ?? 0) + 1

        let iteration = Iteration()
        iteration.id = UUID()
        iteration.$project.id = projectID
        iteration.number = number
        iteration.note = input?.note
        iteration.status = "queued"
        iteration.configuration = try JSONText.encode(configuration)
        iteration.datasetSummary = try JSONText.encode(summary)
        let job = Job(ownerID: ownerID, projectID: projectID, kind: "train")
        job.id = UUID()
        job.iterationID = iteration.id
        try await db.transaction { tx in
            try await iteration.create(on: tx)
            try await insertSnapshot(rows, iterationID: iteration.id!, on: tx)
            try await job.create(on: tx)
            try await JobEvents.append(.init(kind: .status, status: .queued, message: "Iteration \(number) queued: \(summary.train) training and \(summary.test) test images, \(labels.count) labels."), to: job.id!, on: tx)
        }
        return .started(iteration, job)
    }

    struct Row {
        let imageID: UUID
        let blobID: String
        let fileName: String
        let label: String?
        let boxes: String?
        let split: String
    }

    /// Labelled images (classification) or images with boxes (detection).
    static func snapshotRows(projectID: UUID, detection: Bool, on db: any Database) async throws -> [Row] {
        let images = try await DatasetImage.query(on: db).filter(\.$project.$id == projectID)
            .with(\.$boxes).sort(\.$createdAt).sort(\.$id).all()
        return try images.compactMap { image in
            if detection {
                guard !image.boxes.isEmpty else { return nil }
                let boxes = image.boxes.map { Components.Schemas.Box(label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height) }
                return Row(imageID: try image.requireID(), blobID: image.blobID, fileName: image.fileName, label: nil,
                           boxes: try JSONText.encode(boxes), split: image.split)
            }
            guard let label = image.label else { return nil }
            return Row(imageID: try image.requireID(), blobID: image.blobID, fileName: image.fileName, label: label, boxes: nil, split: image.split)
        }
    }

    static func insertSnapshot(_ rows: [Row], iterationID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in stride(from: 0, to: rows.count, by: 500).map({ rows[$0..<min($0 + 500, rows.count)] }) {
            var insert = sql.insert(into: IterationImage.schema)
                .columns("id", "iteration_id", "image_id", "blob_id", "file_name", "label", "boxes", "split")
            for row in chunk {
                insert = insert.values(SQLBind(UUID()), SQLBind(iterationID), SQLBind(row.imageID), SQLBind(row.blobID),
                                       SQLBind(row.fileName), SQLBind(row.label), SQLBind(row.boxes), SQLBind(row.split))
            }
            try await insert.run()
        }
    }
}

/// JSON stored in text columns.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(text.utf8))
    }
}
