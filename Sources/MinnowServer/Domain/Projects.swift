// Project actions shared by the JSON API and the web pages: list, create, change, delete.
// Finding a project for a principal (404 for someone else's) is `Principal.project`.
import APITypes
import Fluent
import Foundation

struct Projects {
    let db: any Database

    /// The owner's projects, newest first; `only` narrows to one (an API key's project).
    func list(ownerID: UUID, only projectID: UUID? = nil, page: PageRequest) async throws -> (items: [Project], total: Int) {
        var query = Project.query(on: db).filter(\.$owner.$id == ownerID)
        if let projectID { query = query.filter(\.$id == projectID) }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page)
    }

    func create(ownerID: UUID, name: String, description: String?, task: String, input: Components.Schemas.InputSpec = .defaults) async throws -> Result<Project, DomainFailure> {
        if let problem = Validation.name(name, of: "project") { return .failure(.invalid(problem, field: "name")) }
        if let problem = description.flatMap(Validation.description) { return .failure(.invalid(problem, field: "description")) }
        if let problem = input.problem { return .failure(.invalid(problem, field: "input")) }
        let project = Project(
            ownerID: ownerID, name: name.trimmingCharacters(in: .whitespacesAndNewlines),
            description: description ?? "", task: task,
            inputWidth: input.width, inputHeight: input.height, colorMode: input.colorMode.rawValue
        )
        do {
            try await project.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.conflict("You already have a project named \"\(project.name)\".", field: "name"))
        }
        return .success(project)
    }

    /// Changes what is given (nil leaves a value as it is).
    func update(_ project: Project, name: String?, description: String?, input: Components.Schemas.InputSpec?,
                retention: Components.Schemas.FrameRetention? = nil) async throws -> Result<Project, DomainFailure> {
        if let problem = name.flatMap({ Validation.name($0, of: "project") }) { return .failure(.invalid(problem, field: "name")) }
        if let problem = retention?.problem { return .failure(.invalid(problem, field: "retention")) }
        if let problem = description.flatMap(Validation.description) { return .failure(.invalid(problem, field: "description")) }
        if let problem = input?.problem { return .failure(.invalid(problem, field: "input")) }
        if let name { project.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let description { project.description = description }
        if let input {
            project.inputWidth = input.width
            project.inputHeight = input.height
            project.colorMode = input.colorMode.rawValue
        }
        if let retention {
            if let days = retention.frameDays { project.frameDays = days }
            if let only = retention.onlyWithDetections { project.framesOnlyWithDetections = only }
            if let distance = retention.similarFrameDistance { project.similarFrameDistance = distance }
            if let bytes = retention.maxFrameBytes { project.maxFrameBytes = bytes }
        }
        do {
            try await project.save(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.conflict("You already have a project named \"\(project.name)\".", field: "name"))
        }
        return .success(project)
    }

    func delete(_ project: Project) async throws {
        try await project.delete(on: db)  // cascades to everything in the project
    }
}

extension Components.Schemas.FrameRetention {
    var problem: String? {
        if let days = frameDays, !(0...36_500).contains(days) { return "retention.frameDays is 0 (keep) to 36500." }
        if let distance = similarFrameDistance, !(0...64).contains(distance) { return "retention.similarFrameDistance is 0 (off) to 64 bits." }
        if let bytes = maxFrameBytes, bytes < 0 { return "retention.maxFrameBytes is 0 (no cap) or more." }
        return nil
    }
}
