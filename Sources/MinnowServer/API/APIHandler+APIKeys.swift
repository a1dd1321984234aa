// API keys: create (secret shown once), list, read, revoke. People only.
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func listAPIKeys(_ input: Operations.ListAPIKeys.Input) async throws -> Operations.ListAPIKeys.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        let page = PageRequest(page: input.query.page, perPage: input.query.perPage)
        let (keys, total) = try await APIKey.query(on: request.db).filter(\.$owner.$id == userID)
            .sort(\.$createdAt, .descending).sort(\.$id).page(page)
        return .ok(.init(body: .json(.init(items: try keys.map { try $0.api() }, metadata: page.metadata(total: total)))))
    }

    func createAPIKey(_ input: Operations.CreateAPIKey.Input) async throws -> Operations.CreateAPIKey.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        if let problem = Validation.name(body.name, of: "key") {
            return .unprocessableContent(.init(body: .json(.invalid(problem))))
        }
        guard !body.permissions.isEmpty else {
            return .unprocessableContent(.init(body: .json(.invalid("Give the key at least one permission: \(Permission.allCases.map(\.rawValue).joined(separator: ", "))."))))
        }
        if let expiry = body.expiresAt, expiry <= Date() {
            return .unprocessableContent(.init(body: .json(.invalid("expiresAt must be in the future."))))
        }
        guard let projectID = UUID(uuidString: body.projectId),
              let project = try await principal.ownedProject(projectID, on: request.db)
        else { return .notFound(.init(body: .json(.notFound("Project")))) }

        let secret = APIKeySecrets.generate()
        let key = APIKey(
            ownerID: userID, projectID: try project.requireID(),
            name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
            prefix: APIKeySecrets.prefix(of: secret), secretHash: APIKeySecrets.hash(secret),
            permissions: Set(body.permissions.compactMap { Permission(rawValue: $0.rawValue) }),
            expiresAt: body.expiresAt
        )
        try await key.create(on: request.db)
        return .created(.init(body: .json(.init(value1: try key.api(), value2: .init(key: secret)))))
    }

    func getAPIKey(_ input: Operations.GetAPIKey.Input) async throws -> Operations.GetAPIKey.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        guard let key = try await ownedKey(input.path.keyId, userID: userID, on: request.db) else {
            return .notFound(.init(body: .json(.notFound("API key"))))
        }
        return .ok(.init(body: .json(try key.api())))
    }

    func revokeAPIKey(_ input: Operations.RevokeAPIKey.Input) async throws -> Operations.RevokeAPIKey.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        guard let key = try await ownedKey(input.path.keyId, userID: userID, on: request.db) else {
            return .notFound(.init(body: .json(.notFound("API key"))))
        }
        try await key.delete(on: request.db)
        return .noContent(.init())
    }

    private func ownedKey(_ id: String, userID: UUID, on db: any Database) async throws -> APIKey? {
        guard let id = UUID(uuidString: id) else { return nil }
        return try await APIKey.query(on: db).filter(\.$id == id).filter(\.$owner.$id == userID).first()
    }
}

extension APIKey {
    func api() throws -> Components.Schemas.APIKey {
        .init(
            id: try requireID().apiString, name: name, projectId: $project.id.apiString,
            permissions: permissions.sorted { $0.rawValue < $1.rawValue }.compactMap { .init(rawValue: $0.rawValue) },
            prefix: prefix, createdAt: createdAt ?? Date(), expiresAt: expiresAt, lastUsedAt: lastUsedAt
        )
    }
}
