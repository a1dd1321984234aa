// Labels: list with counts, rename (onto an existing label: merge), delete.
// A label lives on images (classification) and on boxes (detection); each change covers both.
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func listLabels(_ input: Operations.ListLabels.Input) async throws -> Operations.ListLabels.Output {
        let (request, principal) = try await authenticated()
        guard let project = try await project(input.path.projectId, principal, .read, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        let rows = try await DatasetSnapshot.load(projectID: project.requireID(), on: request.db)
        return .ok(.init(body: .json(.init(items: rows.labelCounts()))))
    }

    func renameLabel(_ input: Operations.RenameLabel.Input) async throws -> Operations.RenameLabel.Output {
        let (request, principal) = try await authenticated()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard let project = try await project(input.path.projectId, principal, .write, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = LabelRules.problem(with: name) { return .unprocessableContent(.init(body: .json(.invalid(problem)))) }
        let projectID = try project.requireID()
        let changed = try await request.db.transaction { db in
            let images = try await DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(\.$label == input.path.label).count()
            try await DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(\.$label == input.path.label).set(\.$label, to: name).update()
            let boxIDs = try await boxes(labelled: input.path.label, in: projectID, on: db)
            if !boxIDs.isEmpty { try await Box.query(on: db).filter(\.$id ~~ boxIDs).set(\.$label, to: name).update() }
            return images + boxIDs.count
        }
        guard changed > 0 else { return .notFound(.init(body: .json(.notFound("Label \"\(input.path.label)\"")))) }
        return .ok(.init(body: .json(.init(changed: changed))))
    }

    func deleteLabel(_ input: Operations.DeleteLabel.Input) async throws -> Operations.DeleteLabel.Output {
        let (request, principal) = try await authenticated()
        guard let project = try await project(input.path.projectId, principal, .write, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        let projectID = try project.requireID()
        let label = input.path.label
        let changed = try await request.db.transaction { db in
            let labelled = DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(\.$label == label)
            let images = try await labelled.count()
            let boxIDs = try await boxes(labelled: label, in: projectID, on: db)
            switch input.query.images {
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
        guard changed > 0 else { return .notFound(.init(body: .json(.notFound("Label \"\(label)\"")))) }
        return .ok(.init(body: .json(.init(changed: changed))))
    }

    func updateImages(_ input: Operations.UpdateImages.Input) async throws -> Operations.UpdateImages.Output {
        let (request, principal) = try await authenticated()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard let project = try await project(input.path.projectId, principal, .write, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        guard body.imageIds.count <= 10_000 else { return .unprocessableContent(.init(body: .json(.invalid("At most 10,000 images per batch.")))) }
        let ids = body.imageIds.compactMap { UUID(uuidString: $0) }
        let selected = DatasetImage.query(on: request.db).filter(\.$project.$id == (try project.requireID())).filter(\.$id ~~ ids)
        let count = try await selected.count()
        switch body.action {
        case .relabel:
            guard let label = body.label else { return .unprocessableContent(.init(body: .json(.invalid("relabel needs a label.")))) }
            if let problem = LabelRules.problem(with: label) { return .unprocessableContent(.init(body: .json(.invalid(problem)))) }
            try await selected.copy().set(\.$label, to: label).update()
        case .unlabel:
            try await selected.copy().set(\.$label, to: nil).update()
        case .move:
            guard let split = body.split else { return .unprocessableContent(.init(body: .json(.invalid("move needs a split: train, test or auto.")))) }
            let images = try await selected.copy().all()
            try await request.db.transaction { db in
                for image in images {
                    image.setSplit(split)
                    try await image.save(on: db)
                }
            }
        case .delete:
            try await selected.copy().delete()
        }
        return .ok(.init(body: .json(.init(changed: count))))
    }

    private func boxes(labelled label: String, in projectID: UUID, on db: any Database) async throws -> [UUID] {
        try await Box.query(on: db).join(DatasetImage.self, on: \Box.$image.$id == \DatasetImage.$id)
            .filter(DatasetImage.self, \.$project.$id == projectID).filter(\.$label == label).all(\.$id)
    }
}
