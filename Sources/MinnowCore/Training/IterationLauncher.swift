// Starts an iteration: checks that the dataset can train, resolves the configuration,
// freezes the snapshot (every labelled image's blob, label, boxes and split, as they are
// now) and queues the train job. Reads happen first; the writes then go in one transaction
// that starts with a write (so SQLite takes its write lock at once instead of failing a
// read-then-write transaction that a worker's write overtook).
import FluentKit
import Foundation
import SQLKit

package enum IterationLauncher {
    package enum Outcome {
        case started(Iteration, Job)
        case refused(Refusal)
    }

    /// What an iteration would train on and with: the snapshot rows, its labels and the resolved
    /// configuration; the Train page shows it as the defaults before anything starts.
    package struct Plan {
        package let rows: [Row]
        package let labels: [String]
        package let configuration: StoredTrainingConfiguration

        package init(rows: [Row], labels: [String], configuration: StoredTrainingConfiguration) {
            self.rows = rows
            self.labels = labels
            self.configuration = configuration
        }
    }

    package enum Refusal: Error {
        /// The dataset cannot train yet; each reason is a sentence from the analysis.
        case dataset([String])
        case configuration(TrainingDefaults.Refusal)

        package var message: String {
            switch self {
            case .dataset(let reasons): "The dataset cannot train yet: " + reasons.joined(separator: " ")
            case .configuration(let refusal): refusal.message
            }
        }
    }

    package static func plan(
        project: Project, request: TrainingRequest?, on db: any Database
    ) async throws -> Result<Plan, Refusal> {
        let projectID = try project.requireID()
        let rows = try await snapshotRows(projectID: projectID, detection: project.task == .detection, on: db)
        let counts = DatasetSnapshot.labelCounts(rows.map { ($0.labels, $0.split) })
        let blockers = DatasetAnalyzer.trainingBlockers(images: rows.count, labels: counts, task: project.task)
        guard blockers.isEmpty else { return .failure(.dataset(blockers.map(\.message))) }
        let labels = counts.map(\.label)
        let perLabelTrain = counts.map(\.train).min() ?? 0
        do {
            let configuration = try TrainingDefaults.resolve(
                request, project: project, classes: labels.count,
                trainImagesPerLabel: perLabelTrain, trainImages: rows.count { $0.split == .train })
            return .success(Plan(rows: rows, labels: labels, configuration: configuration))
        } catch {
            return .failure(.configuration(error))
        }
    }

    package static func launch(
        project: Project, ownerID: UUID, request: TrainingRequest?, on db: any Database
    ) async throws -> Outcome {
        let projectID = try project.requireID()
        let plan: Plan
        switch try await self.plan(project: project, request: request, on: db) {
        case .success(let planned): plan = planned
        case .failure(let refusal): return .refused(refusal)
        }
        let (rows, labels, configuration) = (plan.rows, plan.labels, plan.configuration)
        if let note = request?.note, note.count > 200 {
            return .refused(.configuration(.init(message: "note must be at most 200 characters.", field: "note")))
        }
        let summary = StoredDatasetSummary(
            images: rows.count, train: rows.count { $0.split == .train },
            test: rows.count { $0.split == .test }, labels: labels)
        let number = (try await Iteration.query(on: db).filter(\.$project.$id == projectID).max(\.$number) ?? 0) + 1

        let iteration = Iteration()
        iteration.id = UUID()
        iteration.$project.id = projectID
        iteration.number = number
        iteration.note = request?.note
        iteration.status = .queued
        iteration.configuration = try JSONText.encode(configuration)
        iteration.datasetSummary = try JSONText.encode(summary)
        let job = Job(ownerID: ownerID, projectID: projectID, kind: .train)
        job.id = UUID()
        job.iterationID = iteration.id
        try await db.transaction { tx in
            try await iteration.create(on: tx)
            try await insertSnapshot(rows, iterationID: iteration.id!, on: tx)
            try await job.create(on: tx)
            try await JobEvents.append(
                .init(
                    kind: .status, status: .queued,
                    message:
                        "Iteration \(number) queued: \(summary.train) training and \(summary.test) test images, \(labels.count) labels."
                ), to: job.id!, on: tx)
        }
        return .started(iteration, job)
    }

    package struct Row {
        package let imageID: UUID
        package let blobID: String
        package let fileName: String
        package let label: String?
        package let boxes: String?
        package let split: ImageSplit
        /// Its class, or its boxes' classes.
        package let labels: [String]

        package init(
            imageID: UUID, blobID: String, fileName: String, label: String?, boxes: String?, split: ImageSplit,
            labels: [String]
        ) {
            self.imageID = imageID
            self.blobID = blobID
            self.fileName = fileName
            self.label = label
            self.boxes = boxes
            self.split = split
            self.labels = labels
        }
    }

    /// Labelled images (classification) or images with boxes (detection), read with plain SQL
    /// (a project may hold many thousands).
    package static func snapshotRows(projectID: UUID, detection: Bool, on db: any Database) async throws -> [Row] {
        let sql = db as! any SQLDatabase
        var boxes: [UUID: [BoxSpec]] = [:]
        if detection {
            let rows = try await sql.select().columns(
                SQLColumn("image_id", table: "boxes"), SQLColumn("label", table: "boxes"),
                SQLColumn("x"), SQLColumn("y"), SQLColumn("width", table: "boxes"), SQLColumn("height", table: "boxes")
            )
            .from(Box.schema).join(
                DatasetImage.schema, on: SQLColumn("image_id", table: "boxes"), .equal, SQLColumn("id", table: "images")
            )
            .where(SQLColumn("project_id", table: "images"), .equal, SQLBind(projectID)).all()
            for row in rows {
                let box = BoxSpec(
                    label: try row.decode(column: "label", as: String.self),
                    x: try row.decode(column: "x", as: Double.self),
                    y: try row.decode(column: "y", as: Double.self),
                    width: try row.decode(column: "width", as: Double.self),
                    height: try row.decode(column: "height", as: Double.self))
                boxes[try row.decode(column: "image_id", as: UUID.self), default: []].append(box)
            }
        }
        let images = try await sql.select().columns("id", "blob_id", "file_name", "label", "split").from(
            DatasetImage.schema
        )
        .where("project_id", .equal, SQLBind(projectID)).orderBy("created_at").orderBy("id").all()
        return try images.compactMap { image in
            let id = try image.decode(column: "id", as: UUID.self)
            let label = detection ? nil : try image.decode(column: "label", as: String?.self)
            let imageBoxes = boxes[id] ?? []
            guard detection ? !imageBoxes.isEmpty : label != nil else { return nil }
            return Row(
                imageID: id, blobID: try image.decode(column: "blob_id", as: String.self),
                fileName: try image.decode(column: "file_name", as: String.self), label: label,
                boxes: detection ? try JSONText.encode(imageBoxes) : nil,
                split: try image.decode(column: "split", as: ImageSplit.self),
                labels: label.map { [$0] } ?? imageBoxes.map(\.label))
        }
    }

    package static func insertSnapshot(_ rows: [Row], iterationID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in stride(from: 0, to: rows.count, by: 500).map({ rows[$0..<min($0 + 500, rows.count)] }) {
            var insert = sql.insert(into: IterationImage.schema)
                .columns("id", "iteration_id", "image_id", "blob_id", "file_name", "label", "boxes", "split")
            for row in chunk {
                insert = insert.values(
                    SQLBind(UUID()), SQLBind(iterationID), SQLBind(row.imageID), SQLBind(row.blobID),
                    SQLBind(row.fileName), SQLBind(row.label), SQLBind(row.boxes), SQLBind(row.split.rawValue))
            }
            try await insert.run()
        }
    }
}
