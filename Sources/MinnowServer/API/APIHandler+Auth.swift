// Accounts: register, sign in and out, who-am-I, change password, delete account.
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func register(_ input: Operations.Register.Input) async throws -> Operations.Register.Output {
        let request = try CurrentRequest.get()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        switch try await Accounts(request: request, services: services).register(username: body.username, password: body.password) {
        case .success(let user): return .created(.init(body: .json(try user.api())))
        case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
        case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
        }
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        let request = try CurrentRequest.get()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let accounts = Accounts(request: request, services: services)
        switch try await accounts.signIn(username: body.username, password: body.password) {
        case .success(let user):
            return .ok(.init(body: .json(try issueToken(for: user, accounts))))
        case .failure(.tooManyRequests(let wait, let message)):
            let error = APIError.tooManyRequests(retryAfter: wait, message)
            return .tooManyRequests(.init(headers: .init(retryAfter: wait), body: .json(error.body)))
        case .failure(let failure):
            return .unauthorized(.init(body: .json(APIError.unauthorized(failure.message).body)))
        }
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        let (request, principal) = try await authenticated()
        let (_, token) = try principal.requirePerson()
        try await Accounts(request: request, services: services).signOut(token)
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
        let accounts = Accounts(request: request, services: services)
        switch try await accounts.changePassword(userID: userID, current: body.currentPassword, new: body.newPassword) {
        case .success(let user): return .ok(.init(body: .json(try issueToken(for: user, accounts))))
        case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
        }
    }

    func deleteAccount(_ input: Operations.DeleteAccount.Input) async throws -> Operations.DeleteAccount.Output {
        let (request, principal) = try await authenticated()
        let (userID, token) = try principal.requirePerson()
        try await Accounts(request: request, services: services).deleteAccount(userID: userID, token: token)
        return .noContent(.init())
    }

    private func issueToken(for user: User, _ accounts: Accounts) throws -> Components.Schemas.AccessToken {
        let (token, claims) = try accounts.issueToken(for: user)
        return .init(accessToken: token, tokenType: .bearer, expiresAt: claims.expiresAt)
    }
}

extension User {
    func api() throws -> Components.Schemas.User {
        .init(id: try requireID().apiString, username: username, createdAt: createdAt ?? Date())
    }
}
