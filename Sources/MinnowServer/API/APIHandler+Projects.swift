// Projects: create, list, read, rename/describe, delete (cascades to everything inside).
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func listProjects(_ input: Operations.ListProjects.Input) async throws -> Operations.ListProjects.Output {
        try await answer { principal, db in
            let page = Paging(page: input.query.page, perPage: input.query.perPage)
            var only: UUID?
            if let key = principal.key {
                // A bridge finds its project by name too (`minnow bridge --project pets`).
                guard key.permissions.contains(.read) || key.permissions.contains(.bridge) else {
                    return .refused(.forbidden("This API key lacks the \"read\" permission."))
                }
                only = key.projectID
            }
            let (projects, total) = try await Projects(db: db).list(ownerID: principal.userID, only: only, page: page)
            return .ok(
                .init(
                    body: .json(.init(items: try projects.map { try $0.api() }, metadata: page.metadata(total: total))))
            )
        }
    }

    func createProject(_ input: Operations.CreateProject.Input) async throws -> Operations.CreateProject.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let result = try await Projects(db: db).create(
                ownerID: userID, name: body.name, description: body.description, task: body.task.domain,
                input: body.input.map(ProjectInput.init) ?? .defaults
            )
            switch result {
            case .success(let project): return .created(.init(body: .json(try project.api())))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func getProject(_ input: Operations.GetProject.Input) async throws -> Operations.GetProject.Output {
        try await answer { principal, db in
            guard let id = UUID(uuidString: input.path.projectId),
                let project = try await principal.project(id, for: .read, on: db)
            else { return .notFound(.init(body: .json(.notFound("Project")))) }
            return .ok(.init(body: .json(try project.api())))
        }
    }

    func updateProject(_ input: Operations.UpdateProject.Input) async throws -> Operations.UpdateProject.Output {
        try await answer { principal, db in
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            guard let id = UUID(uuidString: input.path.projectId),
                let project = try await principal.ownedProject(id, on: db)
            else { return .notFound(.init(body: .json(.notFound("Project")))) }
            switch try await Projects(db: db).update(
                project, name: body.name, description: body.description, input: body.input.map(ProjectInput.init),
                retention: body.retention.map(RetentionChange.init))
            {
            case .success(let project): return .ok(.init(body: .json(try project.api())))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func deleteProject(_ input: Operations.DeleteProject.Input) async throws -> Operations.DeleteProject.Output {
        try await answer { principal, db in
            guard let id = UUID(uuidString: input.path.projectId),
                let project = try await principal.ownedProject(id, on: db)
            else { return .notFound(.init(body: .json(.notFound("Project")))) }
            try await Projects(db: db).delete(project)
            return .noContent(.init())
        }
    }
}

extension ProjectInput {
    init(_ wire: Components.Schemas.InputSpec) {
        self.init(width: wire.width, height: wire.height, colorMode: wire.colorMode.domain)
    }
}

extension RetentionChange {
    init(_ wire: Components.Schemas.FrameRetention) {
        self.init(
            frameDays: wire.frameDays, onlyWithDetections: wire.onlyWithDetections,
            similarFrameDistance: wire.similarFrameDistance, maxFrameBytes: wire.maxFrameBytes)
    }
}

extension Project {
    func api() throws -> Components.Schemas.Project {
        .init(
            id: try requireID().apiString, name: name, description: description,
            task: .init(task),
            input: .init(width: inputWidth, height: inputHeight, colorMode: .init(colorMode)),
            retention: .init(
                frameDays: frameDays, onlyWithDetections: framesOnlyWithDetections,
                similarFrameDistance: similarFrameDistance, maxFrameBytes: maxFrameBytes),
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date()
        )
    }
}
