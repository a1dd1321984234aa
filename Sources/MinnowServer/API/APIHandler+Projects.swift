// Projects: create, list, read, rename/describe, delete (cascades to everything inside).
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func listProjects(_ input: Operations.ListProjects.Input) async throws -> Operations.ListProjects.Output {
        let (request, principal) = try await authenticated()
        let page = PageRequest(page: input.query.page, perPage: input.query.perPage)
        var query = Project.query(on: request.db).filter(\.$owner.$id == principal.userID)
        if case .apiKey(_, let projectID, let permissions) = principal {
            guard permissions.contains(.read) else { throw APIError.forbidden("This API key lacks the \"read\" permission.") }
            query = query.filter(\.$id == projectID)
        }
        let (projects, total) = try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page)
        return .ok(.init(body: .json(.init(items: try projects.map { try $0.api() }, metadata: page.metadata(total: total)))))
    }

    func createProject(_ input: Operations.CreateProject.Input) async throws -> Operations.CreateProject.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let input = body.input ?? .defaults
        if let problem = Validation.name(body.name, of: "project") ?? body.description.flatMap(Validation.description) ?? input.problem {
            return .unprocessableContent(.init(body: .json(.invalid(problem))))
        }
        let project = Project(
            ownerID: userID, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
            description: body.description ?? "", task: body.task.rawValue,
            inputWidth: input.width, inputHeight: input.height, colorMode: input.colorMode.rawValue
        )
        do {
            try await project.create(on: request.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .conflict(.init(body: .json(.conflict("You already have a project named \"\(project.name)\"."))))
        }
        return .created(.init(body: .json(try project.api())))
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
        if let problem = body.name.flatMap({ Validation.name($0, of: "project") }) ?? body.description.flatMap(Validation.description) ?? body.input?.problem {
            return .unprocessableContent(.init(body: .json(.invalid(problem))))
        }
        if let name = body.name { project.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let description = body.description { project.description = description }
        if let input = body.input {
            project.inputWidth = input.width
            project.inputHeight = input.height
            project.colorMode = input.colorMode.rawValue
        }
        do {
            try await project.save(on: request.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .conflict(.init(body: .json(.conflict("You already have a project named \"\(project.name)\"."))))
        }
        return .ok(.init(body: .json(try project.api())))
    }

    func deleteProject(_ input: Operations.DeleteProject.Input) async throws -> Operations.DeleteProject.Output {
        let (request, principal) = try await authenticated()
        guard let id = UUID(uuidString: input.path.projectId),
              let project = try await principal.ownedProject(id, on: request.db)
        else { return .notFound(.init(body: .json(.notFound("Project")))) }
        try await project.delete(on: request.db)  // cascades to everything in the project
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
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date()
        )
    }
}
