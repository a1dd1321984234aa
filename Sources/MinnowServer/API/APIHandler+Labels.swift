// Labels: list with counts, rename (onto an existing label: merge), delete.
// A label lives on images (classification) and on boxes (detection); each change covers both.
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func listLabels(_ input: Operations.ListLabels.Input) async throws -> Operations.ListLabels.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            return .ok(
                .init(
                    body: .json(
                        .init(
                            items: try await DatasetSnapshot.labelCounts(projectID: project.requireID(), on: db).map(
                                Components.Schemas.LabelCount.init)))))
        }
    }

    func renameLabel(_ input: Operations.RenameLabel.Input) async throws -> Operations.RenameLabel.Output {
        try await answer { principal, db in
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            guard let project = try await project(input.path.projectId, principal, .write, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            switch try await ImageCuration(db: db, projectID: project.requireID()).renameLabel(
                input.path.label, to: body.name)
            {
            case .success(let changed): return .ok(.init(body: .json(.init(changed: changed))))
            case .failure(.notFound(let what)): return .notFound(.init(body: .json(.notFound(what))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func deleteLabel(_ input: Operations.DeleteLabel.Input) async throws -> Operations.DeleteLabel.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .write, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            switch try await ImageCuration(db: db, projectID: project.requireID()).deleteLabel(
                input.path.label, images: input.query.images.domain)
            {
            case .success(let changed): return .ok(.init(body: .json(.init(changed: changed))))
            case .failure(let failure):
                return .notFound(.init(body: .json(.make(code: "not_found", message: failure.message))))
            }
        }
    }

    func updateImages(_ input: Operations.UpdateImages.Input) async throws -> Operations.UpdateImages.Output {
        try await answer { principal, db in
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            guard let project = try await project(input.path.projectId, principal, .write, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let curation = ImageCuration(db: db, projectID: try project.requireID())
            switch try await curation.apply(
                body.action.domain, to: body.imageIds, label: body.label, split: body.split?.domain)
            {
            case .success(let changed): return .ok(.init(body: .json(.init(changed: changed))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }
}

extension Operations.ListLabels.Output: RefusableOutput {}
extension Operations.RenameLabel.Output: RefusableOutput {}
extension Operations.DeleteLabel.Output: RefusableOutput {}
extension Operations.UpdateImages.Output: RefusableOutput {}
