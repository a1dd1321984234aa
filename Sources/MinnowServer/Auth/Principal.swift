// Who is making a request, and what they may touch. A person (access token) may do
// everything with what they own; an API key only what its permissions allow inside its
// one project. Someone else's project is reported exactly like a missing one.
import Fluent
import Foundation

enum Principal: Sendable {
    case person(userID: UUID, token: AccessTokenClaims)
    case apiKey(userID: UUID, projectID: UUID, permissions: Set<Permission>)

    var userID: UUID {
        switch self {
        case .person(let id, _), .apiKey(let id, _, _): id
        }
    }

    /// Account and key management, creating projects: people only.
    func requirePerson() throws -> (userID: UUID, token: AccessTokenClaims) {
        guard case .person(let id, let token) = self else {
            throw APIError.forbidden("API keys cannot do this; sign in as a person and use the access token.")
        }
        return (id, token)
    }

    /// The project, if this principal may act on it with `permission`; nil when it is
    /// missing or not theirs (answer 404).
    func project(_ id: UUID, for permission: Permission, on db: any Database) async throws -> Project? {
        if case .apiKey(_, let keyProject, let permissions) = self {
            guard keyProject == id else { return nil }
            guard permissions.contains(permission) else {
                throw APIError.forbidden("This API key lacks the \"\(permission.rawValue)\" permission.")
            }
        }
        return try await Project.query(on: db).filter(\.$id == id).filter(\.$owner.$id == userID).first()
    }

    /// Changing project settings or deleting a project: people only.
    func ownedProject(_ id: UUID, on db: any Database) async throws -> Project? {
        _ = try requirePerson()
        return try await Project.query(on: db).filter(\.$id == id).filter(\.$owner.$id == userID).first()
    }
}
