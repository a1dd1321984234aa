// Accounts: register, sign in and out, who-am-I, change password, delete account.
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func register(_ input: Operations.Register.Input) async throws -> Operations.Register.Output {
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        switch try await accounts(on: dependencies.database()).register(
            username: body.username, password: body.password)
        {
        case .success(let user): return .created(.init(body: .json(try user.api())))
        case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
        case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
        }
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let accounts = accounts(on: dependencies.database())
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
        try await answer { principal, db in
            let (_, token) = try principal.requirePerson()
            try await accounts(on: db).signOut(token)
            return .noContent(.init())
        }
    }

    func getCurrentUser(_ input: Operations.GetCurrentUser.Input) async throws -> Operations.GetCurrentUser.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            guard let user = try await User.find(userID, on: db) else { throw APIError.unauthorized() }
            return .ok(.init(body: .json(try user.api())))
        }
    }

    func changePassword(_ input: Operations.ChangePassword.Input) async throws -> Operations.ChangePassword.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let accounts = accounts(on: db)
            switch try await accounts.changePassword(
                userID: userID, current: body.currentPassword, new: body.newPassword)
            {
            case .success(let user): return .ok(.init(body: .json(try issueToken(for: user, accounts))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func deleteAccount(_ input: Operations.DeleteAccount.Input) async throws -> Operations.DeleteAccount.Output {
        try await answer { principal, db in
            let (userID, token) = try principal.requirePerson()
            try await accounts(on: db).deleteAccount(userID: userID, token: token)
            return .noContent(.init())
        }
    }

    /// Account actions on `db` for the sender of the current request (its address counts
    /// towards the sign-in limits).
    private func accounts(on db: any Database) -> Accounts {
        Accounts(
            db: db, services: services, passwords: dependencies.passwords(),
            clientAddress: CurrentRequest.peerAddress?.ipAddress)
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

extension Operations.Logout.Output: RefusableOutput {}
extension Operations.GetCurrentUser.Output: RefusableOutput {}
extension Operations.ChangePassword.Output: RefusableOutput {}
extension Operations.DeleteAccount.Output: RefusableOutput {}
