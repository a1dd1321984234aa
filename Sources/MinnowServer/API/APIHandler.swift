// The server side of the contract: one method per operation in openapi.yaml, split by
// resource into `APIHandler+<Resource>.swift`. Methods return the typed responses the
// contract declares and throw only for infrastructure failures. Each answers through
// `answer(_:)` over the stored dependencies (`APIDependencies`), with the caller's
// credentials from `CurrentRequest`, and returns its refusals (401, 403) as typed responses
// (sign-up, sign-in and predictions, which have no signed-in caller, use the dependencies directly);
// no handler sees the Vapor request, so each can be called directly (Tests/…/API/Handlers).
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

struct APIHandler: APIProtocol {
    let dependencies: APIDependencies

    init(_ dependencies: APIDependencies) {
        self.dependencies = dependencies
    }

    var services: MinnowServices { dependencies.services }

    /// Runs `body` for the caller on a database of the dependencies. The expected refusals
    /// (no valid credentials: 401; a key or person not allowed this: 403) come back as the
    /// operation's typed responses; only infrastructure failures are thrown.
    func answer<Output: RefusableOutput>(
        _ body: (Principal, any Database) async throws -> Output
    ) async throws -> Output {
        let db = dependencies.database()
        do {
            guard let credentials = CurrentRequest.credentials else { throw APIError.unauthorized() }
            let principal = try await services.authenticator.authenticate(credentials, on: db)
            return try await body(principal, db)
        } catch let refusal as APIError where refusal.status == .unauthorized || refusal.status == .forbidden {
            return .refused(refusal)
        }
    }
}

/// An operation's output that declares the refusals 401 and 403 (the contract's shared
/// `Unauthorized` and `Forbidden` responses); the generated enum cases are the witnesses.
protocol RefusableOutput {
    static func unauthorized(_ response: Components.Responses.Unauthorized) -> Self
    static func forbidden(_ response: Components.Responses.Forbidden) -> Self
}

extension RefusableOutput {
    /// A 401 (with `WWW-Authenticate: Bearer`) or a 403 carrying the refusal's message.
    static func refused(_ refusal: APIError) -> Self {
        if refusal.status == .unauthorized {
            return .unauthorized(.init(headers: .init(wwwAuthenticate: "Bearer"), body: .json(refusal.body)))
        }
        return .forbidden(.init(body: .json(refusal.body)))
    }
}

extension Operations.ListProjects.Output: RefusableOutput {}
extension Operations.CreateProject.Output: RefusableOutput {}
extension Operations.GetProject.Output: RefusableOutput {}
extension Operations.UpdateProject.Output: RefusableOutput {}
extension Operations.DeleteProject.Output: RefusableOutput {}
extension Operations.ListAPIKeys.Output: RefusableOutput {}
extension Operations.CreateAPIKey.Output: RefusableOutput {}
extension Operations.GetAPIKey.Output: RefusableOutput {}
extension Operations.UpdateAPIKey.Output: RefusableOutput {}
extension Operations.RevokeAPIKey.Output: RefusableOutput {}

extension Paging {
    func metadata(total: Int) -> Components.Schemas.PageMetadata {
        .init(page: page, perPage: perPage, total: total)
    }
}
