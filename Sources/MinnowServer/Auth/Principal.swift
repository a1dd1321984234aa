// Who is making a request, and what they may touch. A person (access token) may do
// everything with what they own; an API key only what its permissions allow inside its
// one project, and a camera's key only post its camera's frames. Someone else's project is
// reported exactly like a missing one.
import Fluent
import Foundation
import MinnowCore

enum Principal: Sendable {
    case person(userID: UUID, token: AccessTokenClaims)
    case apiKey(userID: UUID, key: KeyGrant)

    var userID: UUID {
        switch self {
        case .person(let id, _), .apiKey(let id, _): id
        }
    }

    /// The key a request came with, if it came with one.
    var key: KeyGrant? {
        if case .apiKey(_, let key) = self { return key }
        return nil
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
        if let key {
            guard key.projectID == id else { return nil }
            guard key.deviceID == nil else {
                throw APIError.forbidden("This key belongs to a camera; it may only post that camera's frames.")
            }
            try key.require(permission)
        }
        return try await Project.query(on: db).filter(\.$id == id).filter(\.$owner.$id == userID).first()
    }

    /// Whether this principal may post frames of `deviceID` in project `id` (the project must
    /// still be theirs): a person, a key with `ingest` for the project, or the camera's own key
    /// (another camera's is 403). False: answer 404.
    func mayPostFrames(in id: UUID, deviceID: UUID) throws -> Bool {
        guard let key else { return true }
        guard key.projectID == id else { return false }
        try key.require(.ingest)
        if let own = key.deviceID, own != deviceID {
            throw APIError.forbidden("This key belongs to another camera; it may only post that camera's frames.")
        }
        return true
    }

    /// Changing project settings or deleting a project: people only.
    func ownedProject(_ id: UUID, on db: any Database) async throws -> Project? {
        _ = try requirePerson()
        return try await Project.query(on: db).filter(\.$id == id).filter(\.$owner.$id == userID).first()
    }
}

/// What an API key allows, as read when the request arrived.
struct KeyGrant: Sendable {
    let keyID: UUID
    let projectID: UUID
    let permissions: Set<Permission>
    /// A camera's own key.
    let deviceID: UUID?
    let framesPerMinute: Int?
    let dailyFrameQuota: Int?

    func require(_ permission: Permission) throws {
        guard permissions.contains(permission) else {
            throw APIError.forbidden("This API key lacks the \"\(permission.rawValue)\" permission.")
        }
    }
}
