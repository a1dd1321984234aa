// Projects: create, list, read, rename/describe, delete (cascades to everything inside).
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func listProjects(_ input: Operations.ListProjects.Input) async throws -> Operations.ListProjects.Output {
        let (request, principal) = try await authenticated()
        let page = PageRequest(page: input.query.page, perPage: input.query.perPage)
        var only: UUID?
        if let key = principal.key {
            // A bridge finds its project by name too (`minnow bridge --project pets`).
            guard key.permissions.contains(.read) || key.permissions.contains(.bridge) else {
                throw APIError.forbidden("This API key lacks the \"read\" permission.")
            }
            only = key.projectID
        }
        let (projects, total) = try await Projects(db: request.db).list(ownerID: principal.userID, only: only, page: page)
        return .ok(.init(body: .json(.init(items: try projects.map { try $0.api() }, metadata: page.metadata(total: total)))))
    }

    func createProject(_ input: Operations.CreateProject.Input) async throws -> Operations.CreateProject.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let result = try await Projects(db: request.db).create(
            ownerID: userID, name: body.name, description: body.description, task: body.task.rawValue, input: body.input ?? .defaults
        )
        switch result {
        case .success(let project): return .created(.init(body: .json(try project.api())))
        case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
        case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
        }
    }

    func getProject(_ input: Operations.GetProject.Input) async throws -> Operations.GetProject.Output {
        let (request, principal) = try await authenticated()
        guard let id = UUID(uuidString: input.path.projectId),
              let project = try await principal.project(id, for: .read, on: request.db)
        else { return .notFound(.init(body: .json(.notFound("Project")))) }
        return .ok(.init(body: .json(try project.api())))
    }

    func updateProject(_ input: Operations.UpdateProject.Input) async throws -> Operations.UpdateProject.Output {
        let (request, principal) = try await authenticated()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard let id = UUID(uuidString: input.path.projectId),
              let project = try await principal.ownedProject(id, on: request.db)
        else { return .notFound(.init(body: .json(.notFound("Project")))) }
        switch try await Projects(db: request.db).update(project, name: body.name, description: body.description, input: body.input, retention: body.retention) {
        case .success(let project): return .ok(.init(body: .json(try project.api())))
        case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
        case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
        }
    }

    func deleteProject(_ input: Operations.DeleteProject.Input) async throws -> Operations.DeleteProject.Output {
        let (request, principal) = try await authenticated()
        guard let id = UUID(uuidString: input.path.projectId),
              let project = try await principal.ownedProject(id, on: request.db)
        else { return .notFound(.init(body: .json(.notFound("Project")))) }
        try await Projects(db: request.db).delete(project)
        return .noContent(.init())
    }
}

extension Components.Schemas.InputSpec {
    /// 96×96 grayscale suits small boards for both tasks; people change it per project.
    static let defaults = Self(width: 96, height: 96, colorMode: .grayscale)

    var problem: String? {
        guard (8...640).contains(width), (8...640).contains(height) else {
            return "The input width and height must be 8–640 pixels."
        }
        return nil
    }
}

extension Project {
    func api() throws -> Components.Schemas.Project {
        .init(
            id: try requireID().apiString, name: name, description: description,
            task: .init(rawValue: task) ?? .classification,
            input: .init(width: inputWidth, height: inputHeight, colorMode: .init(rawValue: colorMode) ?? .grayscale),
            retention: .init(frameDays: frameDays, onlyWithDetections: framesOnlyWithDetections,
                             similarFrameDistance: similarFrameDistance, maxFrameBytes: maxFrameBytes),
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date()
        )
    }
}
