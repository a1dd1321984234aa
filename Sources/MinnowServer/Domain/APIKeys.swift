// API key actions shared by the JSON API and the web pages: list, create (the secret is
// returned once), revoke. People only; callers check that.
import Fluent
import Foundation

struct APIKeys {
    let db: any Database

    func list(ownerID: UUID, page: PageRequest) async throws -> (items: [APIKey], total: Int) {
        try await APIKey.query(on: db).filter(\.$owner.$id == ownerID).sort(\.$createdAt, .descending).sort(\.$id).page(page)
    }

    func create(ownerID: UUID, name: String, projectID: String, permissions: Set<Permission>, expiresAt: Date?) async throws -> Result<(key: APIKey, secret: String), DomainFailure> {
        if let problem = Validation.name(name, of: "key") { return .failure(.invalid(problem, field: "name")) }
        guard !permissions.isEmpty else {
            return .failure(.invalid("Give the key at least one permission: \(Permission.allCases.map(\.rawValue).joined(separator: ", ")).", field: "permissions"))
        }
        if let expiresAt, expiresAt <= Date() { return .failure(.invalid("expiresAt must be in the future.", field: "expiresAt")) }
        guard let projectID = UUID(uuidString: projectID),
              let project = try await Project.query(on: db).filter(\.$id == projectID).filter(\.$owner.$id == ownerID).first()
        else { return .failure(.notFound("Project")) }

        let secret = APIKeySecrets.generate()
        let key = APIKey(
            ownerID: ownerID, projectID: try project.requireID(),
            name: name.trimmingCharacters(in: .whitespacesAndNewlines),
            prefix: APIKeySecrets.prefix(of: secret), secretHash: APIKeySecrets.hash(secret),
            permissions: permissions, expiresAt: expiresAt
        )
        try await key.create(on: db)
        return .success((key, secret))
    }

    func find(_ id: String, ownerID: UUID) async throws -> APIKey? {
        guard let id = UUID(uuidString: id) else { return nil }
        return try await APIKey.query(on: db).filter(\.$id == id).filter(\.$owner.$id == ownerID).first()
    }

    /// False when the key is missing or not the owner's.
    func revoke(_ id: String, ownerID: UUID) async throws -> Bool {
        guard let key = try await find(id, ownerID: ownerID) else { return false }
        try await key.delete(on: db)
        return true
    }
}
