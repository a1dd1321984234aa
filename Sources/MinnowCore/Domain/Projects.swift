// Project actions shared by the JSON API and the web pages: list, create, change, delete.
// Finding a project for a principal (404 for someone else's) is `Principal.project`.
import FluentKit
import Foundation
import Imaging
import NeuralNet

package struct Projects {
    package let db: any Database

    /// The owner's projects, newest first; `only` narrows to one (an API key's project).
    package func list(
        ownerID: UUID, only projectID: UUID? = nil, page: Paging
    ) async throws -> (items: [Project], total: Int) {
        var query = Project.query(on: db).filter(\.$owner.$id == ownerID)
        if let projectID { query = query.filter(\.$id == projectID) }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page)
    }

    package func create(
        ownerID: UUID, name: String, description: String?, task: ModelTask, input: ProjectInput = .defaults
    ) async throws -> Result<Project, DomainFailure> {
        if let problem = InputRules.name(name, of: "project") { return .failure(.invalid(problem, field: "name")) }
        if let problem = description.flatMap(InputRules.description) {
            return .failure(.invalid(problem, field: "description"))
        }
        if let problem = input.problem { return .failure(.invalid(problem, field: "input")) }
        let project = Project(
            ownerID: ownerID, name: name.trimmingCharacters(in: .whitespacesAndNewlines),
            description: description ?? "", task: task,
            inputWidth: input.width, inputHeight: input.height, colorMode: input.colorMode
        )
        do {
            try await project.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.conflict("You already have a project named \"\(project.name)\".", field: "name"))
        }
        return .success(project)
    }

    /// Changes what is given (nil leaves a value as it is).
    package func update(
        _ project: Project, name: String?, description: String?, input: ProjectInput?,
        retention: RetentionChange? = nil
    ) async throws -> Result<Project, DomainFailure> {
        if let problem = name.flatMap({ InputRules.name($0, of: "project") }) {
            return .failure(.invalid(problem, field: "name"))
        }
        if let problem = retention?.problem { return .failure(.invalid(problem, field: "retention")) }
        if let problem = description.flatMap(InputRules.description) {
            return .failure(.invalid(problem, field: "description"))
        }
        if let problem = input?.problem { return .failure(.invalid(problem, field: "input")) }
        if let name { project.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let description { project.description = description }
        if let input {
            project.inputWidth = input.width
            project.inputHeight = input.height
            project.colorMode = input.colorMode
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

    package func delete(_ project: Project) async throws {
        try await project.delete(on: db)  // cascades to everything in the project
    }

    package init(db: any Database) {
        self.db = db
    }
}

/// A project's model input: size and colour.
package struct ProjectInput: Equatable, Sendable {
    package var width: Int
    package var height: Int
    package var colorMode: ColorMode

    /// 96×96 grayscale suits small boards for both tasks; people change it per project.
    package static let defaults = ProjectInput(width: 96, height: 96, colorMode: .grayscale)

    package var problem: String? {
        guard (8...640).contains(width), (8...640).contains(height) else {
            return "The input width and height must be 8–640 pixels."
        }
        return nil
    }

    package init(width: Int, height: Int, colorMode: ColorMode) {
        self.width = width
        self.height = height
        self.colorMode = colorMode
    }
}

/// What to change in a project's frame retention (nil leaves a setting as it is).
package struct RetentionChange: Equatable, Sendable {
    package var frameDays: Int?
    package var onlyWithDetections: Bool?
    package var similarFrameDistance: Int?
    package var maxFrameBytes: Int64?

    package var problem: String? {
        if let days = frameDays, !(0...36_500).contains(days) { return "retention.frameDays is 0 (keep) to 36500." }
        if let distance = similarFrameDistance, !(0...64).contains(distance) {
            return "retention.similarFrameDistance is 0 (off) to 64 bits."
        }
        if let bytes = maxFrameBytes, bytes < 0 { return "retention.maxFrameBytes is 0 (no cap) or more." }
        return nil
    }

    package init(
        frameDays: Int? = nil, onlyWithDetections: Bool? = nil, similarFrameDistance: Int? = nil,
        maxFrameBytes: Int64? = nil
    ) {
        self.frameDays = frameDays
        self.onlyWithDetections = onlyWithDetections
        self.similarFrameDistance = similarFrameDistance
        self.maxFrameBytes = maxFrameBytes
    }
}
