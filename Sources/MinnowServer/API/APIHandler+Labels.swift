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
        return .ok(.init(body: .json(.init(items: try await DatasetSnapshot.labelCounts(projectID: project.requireID(), on: request.db)))))
    }

    func renameLabel(_ input: Operations.RenameLabel.Input) async throws -> Operations.RenameLabel.Output {
        let (request, principal) = try await authenticated()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard let project = try await project(input.path.projectId, principal, .write, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        switch try await ImageCuration(db: request.db, projectID: project.requireID()).renameLabel(input.path.label, to: body.name) {
        case .success(let changed): return .ok(.init(body: .json(.init(changed: changed))))
        case .failure(.notFound(let what)): return .notFound(.init(body: .json(.notFound(what))))
        case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
        }
    }

    func deleteLabel(_ input: Operations.DeleteLabel.Input) async throws -> Operations.DeleteLabel.Output {
        let (request, principal) = try await authenticated()
        guard let project = try await project(input.path.projectId, principal, .write, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        switch try await ImageCuration(db: request.db, projectID: project.requireID()).deleteLabel(input.path.label, images: input.query.images) {
        case .success(let changed): return .ok(.init(body: .json(.init(changed: changed))))
        case .failure(let failure): return .notFound(.init(body: .json(.make(code: "not_found", message: failure.message))))
        }
    }

    func updateImages(_ input: Operations.UpdateImages.Input) async throws -> Operations.UpdateImages.Output {
        let (request, principal) = try await authenticated()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard let project = try await project(input.path.projectId, principal, .write, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        let curation = ImageCuration(db: request.db, projectID: try project.requireID())
        switch try await curation.apply(body.action, to: body.imageIds, label: body.label, split: body.split) {
        case .success(let changed): return .ok(.init(body: .json(.init(changed: changed))))
        case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
        }
    }
}
