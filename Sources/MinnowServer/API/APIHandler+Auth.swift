// Accounts: register, sign in and out, who-am-I, change password, delete account.
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func register(_ input: Operations.Register.Input) async throws -> Operations.Register.Output {
        let request = try CurrentRequest.get()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let username = body.username.lowercased()
        if let problem = Validation.username(username) ?? Validation.password(body.password) {
            return .unprocessableContent(.init(body: .json(.invalid(problem))))
        }
        let hash = try await request.password.async.hash(body.password)
        let user = User(username: username, passwordHash: hash)
        do {
            try await user.create(on: request.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .conflict(.init(body: .json(.conflict("The username \"\(username)\" is taken; choose another."))))
        }
        return .created(.init(body: .json(try user.api())))
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        let request = try CurrentRequest.get()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let username = body.username.lowercased()
        let address = request.remoteAddress?.ipAddress ?? "unknown"
        if let wait = await services.loginLimiter.admit(username: username, address: address) {
            let error = APIError.tooManyRequests(retryAfter: wait, "Too many sign-in attempts; try again in \(wait) seconds.")
            return .tooManyRequests(.init(headers: .init(retryAfter: wait), body: .json(error.body)))
        }
        let user = try await User.query(on: request.db).filter(\.$username == username).first()
        // Verify against a dummy hash for unknown users so timing does not reveal who exists.
        let valid = try await request.password.async.verify(body.password, created: user?.passwordHash ?? services.dummyPasswordHash)
        guard let user, valid else {
            await services.loginLimiter.recordFailure(username: username)
            return .unauthorized(.init(body: .json(APIError.unauthorized("Wrong username or password.").body)))
        }
        await services.loginLimiter.recordSuccess(username: username)
        return .ok(.init(body: .json(try issueToken(for: user))))
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        let (request, principal) = try await authenticated()
        let (_, token) = try principal.requirePerson()
        try await RevokedToken(id: token.jti, expiresAt: token.expiresAt).create(on: request.db)
        return .noContent(.init())
    }

    func getCurrentUser(_ input: Operations.GetCurrentUser.Input) async throws -> Operations.GetCurrentUser.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        guard let user = try await User.find(userID, on: request.db) else { throw APIError.unauthorized() }
        return .ok(.init(body: .json(try user.api())))
    }

    func changePassword(_ input: Operations.ChangePassword.Input) async throws -> Operations.ChangePassword.Output {
        let (request, principal) = try await authenticated()
        let (userID, _) = try principal.requirePerson()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard let user = try await User.find(userID, on: request.db) else { throw APIError.unauthorized() }
        guard try await request.password.async.verify(body.currentPassword, created: user.passwordHash) else {
            return .unprocessableContent(.init(body: .json(.invalid("The current password is wrong."))))
        }
        if let problem = Validation.password(body.newPassword) {
            return .unprocessableContent(.init(body: .json(.invalid(problem))))
        }
        user.passwordHash = try await request.password.async.hash(body.newPassword)
        user.tokenGeneration += 1  // every token issued before is now refused
        try await user.save(on: request.db)
        return .ok(.init(body: .json(try issueToken(for: user))))
    }

    func deleteAccount(_ input: Operations.DeleteAccount.Input) async throws -> Operations.DeleteAccount.Output {
        let (request, principal) = try await authenticated()
        let (userID, token) = try principal.requirePerson()
        try await request.db.transaction { db in
            try await User.query(on: db).filter(\.$id == userID).delete()  // cascades to projects, keys and their data
            try await RevokedToken(id: token.jti, expiresAt: token.expiresAt).create(on: db)
        }
        return .noContent(.init())
    }

    private func issueToken(for user: User) throws -> Components.Schemas.AccessToken {
        let (token, claims) = try services.tokens.issue(userID: try user.requireID(), generation: user.tokenGeneration)
        return .init(accessToken: token, tokenType: .bearer, expiresAt: claims.expiresAt)
    }
}

extension User {
    func api() throws -> Components.Schemas.User {
        .init(id: try requireID().apiString, username: username, createdAt: createdAt ?? Date())
    }
}
