// Changing many images at once and editing labels, shared by the JSON API and the data and
// label pages. A label lives on images (classification) and on boxes (detection); each label
// change covers both.
import FluentKit
import Foundation

package struct ImageCuration {
    /// What a batch does to its images.
    package enum Action: String, Sendable, CaseIterable {
        case relabel, unlabel, move, delete
    }

    /// What happens to the images of a deleted label: deleted too, or kept without the label.
    package enum ImagesOfDeletedLabel: String, Sendable, CaseIterable {
        case delete, unlabel
    }

    package let db: any Database
    package let projectID: UUID

    /// Relabels, unlabels, moves or deletes the project's images among `imageIDs`; returns
    /// how many of them were the project's.
    package func apply(
        _ action: Action, to imageIDs: [String], label: String?, split: SplitChoice?
    ) async throws -> Result<Int, DomainFailure> {
        guard imageIDs.count <= 10_000 else { return .failure(.invalid("At most 10,000 images per batch.")) }
        let ids = imageIDs.compactMap { UUID(uuidString: $0) }
        let selected = DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(\.$id ~~ ids)
        let count = try await selected.count()
        switch action {
        case .relabel:
            guard let label else { return .failure(.invalid("relabel needs a label.", field: "label")) }
            if let problem = LabelRules.problem(with: label) { return .failure(.invalid(problem, field: "label")) }
            try await selected.copy().set(\.$label, to: label).update()
        case .unlabel:
            try await selected.copy().set(\.$label, to: nil).update()
        case .move:
            guard let split else {
                return .failure(.invalid("move needs a split: train, test or auto.", field: "split"))
            }
            let images = try await selected.copy().all()
            try await db.transaction { db in
                for image in images {
                    image.setSplit(split)
                    try await image.save(on: db)
                }
            }
        case .delete:
            try await selected.copy().delete()
        }
        return .success(count)
    }

    /// Renames `label` on images and boxes; onto an existing label this merges the two.
    package func renameLabel(_ label: String, to newName: String) async throws -> Result<Int, DomainFailure> {
        let name = newName.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = LabelRules.problem(with: name) { return .failure(.invalid(problem, field: "name")) }
        let projectID = projectID
        let changed = try await db.transaction { db in
            let images = try await DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(
                \.$label == label
            ).count()
            try await DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(\.$label == label).set(
                \.$label, to: name
            ).update()
            let boxIDs = try await Self.boxes(labelled: label, in: projectID, on: db)
            if !boxIDs.isEmpty { try await Box.query(on: db).filter(\.$id ~~ boxIDs).set(\.$label, to: name).update() }
            return images + boxIDs.count
        }
        return changed > 0 ? .success(changed) : .failure(.notFound("Label \"\(label)\""))
    }

    /// Removes `label`: its images are deleted, or kept without the label (and without its boxes).
    package func deleteLabel(
        _ label: String, images choice: ImagesOfDeletedLabel
    ) async throws -> Result<Int, DomainFailure> {
        let projectID = projectID
        let changed = try await db.transaction { db in
            let labelled = DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(\.$label == label)
            let images = try await labelled.count()
            let boxIDs = try await Self.boxes(labelled: label, in: projectID, on: db)
            switch choice {
            case .delete:
                let boxedImages = try await Box.query(on: db).filter(\.$id ~~ boxIDs).all(\.$image.$id)
                try await labelled.copy().delete()
                if !boxedImages.isEmpty { try await DatasetImage.query(on: db).filter(\.$id ~~ boxedImages).delete() }
                return images + Set(boxedImages).count
            case .unlabel:
                try await labelled.copy().set(\.$label, to: nil).update()
                if !boxIDs.isEmpty { try await Box.query(on: db).filter(\.$id ~~ boxIDs).delete() }
                return images + boxIDs.count
            }
        }
        return changed > 0 ? .success(changed) : .failure(.notFound("Label \"\(label)\""))
    }

    private static func boxes(labelled label: String, in projectID: UUID, on db: any Database) async throws -> [UUID] {
        try await Box.query(on: db).join(DatasetImage.self, on: \Box.$image.$id == \DatasetImage.$id)
            .filter(DatasetImage.self, \.$project.$id == projectID).filter(\.$label == label).all(\.$id)
    }

    package init(db: any Database, projectID: UUID) {
        self.db = db
        self.projectID = projectID
    }
}
