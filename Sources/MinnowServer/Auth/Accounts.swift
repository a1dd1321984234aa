// Account actions shared by the JSON API and the web pages: register, sign in (rate
// limited), sign out, change password, delete account.
import Fluent
import Foundation
import MinnowCore
import Vapor

struct Accounts {
    let db: any Database
    let services: MinnowServices
    /// Hashes and checks passwords off the event loops (bcrypt at the configured cost).
    let passwords: AsyncPasswordHasher
    /// The address a sign-in comes from, as the per-address limit counts it.
    let clientAddress: String

    init(db: any Database, services: MinnowServices, passwords: AsyncPasswordHasher, clientAddress: String?) {
        self.db = db
        self.services = services
        self.passwords = passwords
        self.clientAddress = clientAddress ?? "unknown"
    }

    /// The web pages': the request's database, password hasher and peer address.
    init(request: Request, services: MinnowServices) {
        self.init(
            db: request.db, services: services, passwords: request.password.async,
            clientAddress: request.remoteAddress?.ipAddress)
    }

    func register(username rawUsername: String, password: String) async throws -> Result<User, DomainFailure> {
        let username = rawUsername.lowercased()
        if let problem = InputRules.username(username) { return .failure(.invalid(problem, field: "username")) }
        if let problem = InputRules.password(password) { return .failure(.invalid(problem, field: "password")) }
        let user = User(username: username, passwordHash: try await passwords.hash(password))
        do {
            try await user.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(.conflict("The username \"\(username)\" is taken; choose another.", field: "username"))
        }
        return .success(user)
    }

    func signIn(username rawUsername: String, password: String) async throws -> Result<User, DomainFailure> {
        let username = rawUsername.lowercased()
        if let wait = try await services.loginLimiter.admit(username: username, address: clientAddress, on: db) {
            return .failure(
                .tooManyRequests(retryAfter: wait, "Too many sign-in attempts; try again in \(wait) seconds."))
        }
        let user = try await User.query(on: db).filter(\.$username == username).first()
        // Verify against a dummy hash for unknown users so timing does not reveal who exists.
        let valid = try await passwords.verify(password, created: user?.passwordHash ?? services.dummyPasswordHash)
        guard let user, valid else {
            try await services.loginLimiter.recordFailure(username: username, on: db)
            return .failure(.unauthorized("Wrong username or password."))
        }
        try await services.loginLimiter.recordSuccess(username: username, on: db)
        return .success(user)
    }

    func issueToken(for user: User) throws -> (token: String, claims: AccessTokenClaims) {
        try services.tokens.issue(userID: try user.requireID(), generation: user.tokenGeneration)
    }

    func signOut(_ token: AccessTokenClaims) async throws {
        try await RevokedToken(id: token.jti, expiresAt: token.expiresAt).create(on: db)
    }

    /// Every token issued before is refused afterwards; returns the user for a fresh token.
    func changePassword(userID: UUID, current: String, new: String) async throws -> Result<User, DomainFailure> {
        guard let user = try await User.find(userID, on: db) else { throw APIError.unauthorized() }
        guard try await passwords.verify(current, created: user.passwordHash) else {
            return .failure(.invalid("The current password is wrong.", field: "currentPassword"))
        }
        if let problem = InputRules.password(new) { return .failure(.invalid(problem, field: "newPassword")) }
        user.passwordHash = try await passwords.hash(new)
        user.tokenGeneration += 1
        try await user.save(on: db)
        return .success(user)
    }

    /// Removes the user and everything they own, and revokes the token used.
    func deleteAccount(userID: UUID, token: AccessTokenClaims) async throws {
        try await db.transaction { db in
            try await User.query(on: db).filter(\.$id == userID).delete()  // cascades to projects, keys and their data
            try await RevokedToken(id: token.jti, expiresAt: token.expiresAt).create(on: db)
        }
    }
}
