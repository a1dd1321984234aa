// Turns `Authorization: Bearer ...` into a `Principal`: an access token (signature, expiry,
// not signed out, issued since the last password change) or an API key (known hash, not
// expired). Every failure is the same 401 so nothing is learned by probing.
import Fluent
import Foundation
import Vapor

struct Authenticator: Sendable {
    let tokens: AccessTokens

    func authenticate(_ request: Request) async throws -> Principal {
        guard let bearer = request.headers.bearerAuthorization?.token else {
            throw APIError.unauthorized()
        }
        if bearer.hasPrefix(APIKeySecrets.marker) {
            return try await authenticateKey(bearer, on: request.db)
        }
        guard let claims = tokens.verify(bearer) else {
            throw APIError.unauthorized("The access token is invalid or expired; sign in again.")
        }
        async let revoked = RevokedToken.find(claims.jti, on: request.db)
        async let user = User.find(claims.sub, on: request.db)
        guard try await revoked == nil, let user = try await user, user.tokenGeneration == claims.gen else {
            throw APIError.unauthorized("The access token was revoked; sign in again.")
        }
        return .person(userID: claims.sub, token: claims)
    }

    private func authenticateKey(_ key: String, on db: any Database) async throws -> Principal {
        guard let apiKey = try await APIKey.query(on: db).filter(\.$secretHash == APIKeySecrets.hash(key)).first(),
              apiKey.expiresAt.map({ $0 > Date() }) ?? true
        else {
            throw APIError.unauthorized("The API key is invalid, revoked or expired.")
        }
        let now = Date()
        if apiKey.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            apiKey.lastUsedAt = now  // at most once a minute, to keep reads cheap
            try await apiKey.save(on: db)
        }
        return .apiKey(userID: apiKey.$owner.id, projectID: apiKey.$project.id, permissions: apiKey.permissions)
    }
}
