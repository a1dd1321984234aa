// API keys: create (secret shown once), list, read, change frame limits, revoke. People only.
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func listAPIKeys(_ input: Operations.ListAPIKeys.Input) async throws -> Operations.ListAPIKeys.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            let page = Paging(page: input.query.page, perPage: input.query.perPage)
            let (keys, total) = try await APIKeys(db: db).list(ownerID: userID, page: page)
            let now = dependencies.clock()
            return .ok(
                .init(
                    body: .json(
                        .init(items: try keys.map { try $0.api(now: now) }, metadata: page.metadata(total: total)))))
        }
    }

    func createAPIKey(_ input: Operations.CreateAPIKey.Input) async throws -> Operations.CreateAPIKey.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let permissions = Set(body.permissions.compactMap { Permission(rawValue: $0.rawValue) })
            let limits = APIKeys.FrameLimits(perMinute: body.framesPerMinute, perDay: body.dailyFrameQuota)
            switch try await APIKeys(db: db).create(
                ownerID: userID, name: body.name, projectID: body.projectId, permissions: permissions,
                expiresAt: body.expiresAt, deviceID: body.deviceId, limits: limits)
            {
            case .success(let created):
                return .created(
                    .init(
                        body: .json(
                            .init(
                                value1: try created.key.api(now: dependencies.clock()),
                                value2: .init(key: created.secret)))))
            case .failure(.notFound(let what)): return .notFound(.init(body: .json(.notFound(what))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func getAPIKey(_ input: Operations.GetAPIKey.Input) async throws -> Operations.GetAPIKey.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            guard let key = try await APIKeys(db: db).find(input.path.keyId, ownerID: userID) else {
                return .notFound(.init(body: .json(.notFound("API key"))))
            }
            return .ok(.init(body: .json(try key.api(now: dependencies.clock()))))
        }
    }

    func updateAPIKey(_ input: Operations.UpdateAPIKey.Input) async throws -> Operations.UpdateAPIKey.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let keys = APIKeys(db: db)
            guard let key = try await keys.find(input.path.keyId, ownerID: userID) else {
                return .notFound(.init(body: .json(.notFound("API key"))))
            }
            switch try await keys.update(
                key, limits: .init(perMinute: body.framesPerMinute, perDay: body.dailyFrameQuota))
            {
            case .success(let key): return .ok(.init(body: .json(try key.api(now: dependencies.clock()))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func revokeAPIKey(_ input: Operations.RevokeAPIKey.Input) async throws -> Operations.RevokeAPIKey.Output {
        try await answer { principal, db in
            let (userID, _) = try principal.requirePerson()
            guard try await APIKeys(db: db).revoke(input.path.keyId, ownerID: userID) else {
                return .notFound(.init(body: .json(.notFound("API key"))))
            }
            return .noContent(.init())
        }
    }
}

extension APIKey {
    /// `now` decides whether the stored frame count is today's.
    func api(now: Date) throws -> Components.Schemas.APIKey {
        .init(
            id: try requireID().apiString, name: name, projectId: $project.id.apiString,
            permissions: permissions.sorted { $0.rawValue < $1.rawValue }.compactMap { .init(rawValue: $0.rawValue) },
            prefix: prefix, deviceId: $device.id?.apiString, framesPerMinute: framesPerMinute,
            dailyFrameQuota: dailyFrameQuota,
            framesToday: dailyFrameQuota == nil ? nil : (quotaDay == PredictionQuota.day(of: now) ? quotaUsed : 0),
            createdAt: createdAt ?? Date(), expiresAt: expiresAt, lastUsedAt: lastUsedAt
        )
    }
}
