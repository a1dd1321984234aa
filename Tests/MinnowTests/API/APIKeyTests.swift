import Foundation
import Testing

@Suite("API keys over HTTP")
struct APIKeyTests {
    @Test(arguments: TestDatabase.all)
    func secretIsShownOnceAndStoredHashed(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("cams", token: token)
            let created = try await server.request(
                .POST, "/v1/api-keys", token: token,
                json: ["name": "door cam", "projectId": project, "permissions": ["read", "ingest"]])
            let secret = try #require(created["key"] as? String)
            let id = try #require(created["id"] as? String)
            let listed = try await server.request(.GET, "/v1/api-keys", token: token)
            let shown = try await server.request(.GET, "/v1/api-keys/\(id)", token: token)
            #expect(created.status == 201 && secret.hasPrefix("mnw_") && secret.count == 47)
            #expect(created["prefix"] as? String == String(secret.prefix(10)))
            #expect(created["permissions"] as? [String] == ["ingest", "read"])
            #expect(!listed.text.contains(secret) && !shown.text.contains(secret))
            #expect(listed["items"].map { ($0 as? [Any])?.count } == 1)
            let sql = try #require(server.app.db as? any SQLKit.SQLDatabase)
            let stored = try await sql.raw("SELECT secret_hash FROM api_keys").first()?.decode(
                column: "secret_hash", as: String.self)
            #expect(stored != nil && stored != secret && stored?.count == 64)
        }
    }

    @Test(arguments: TestDatabase.all)
    func keysAreLimitedToTheirProjectAndPermissions(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let mine = try await server.createProject("mine", token: token)
            let other = try await server.createProject("other", token: token)
            let reader = try #require(
                try await server.request(
                    .POST, "/v1/api-keys", token: token,
                    json: ["name": "r", "projectId": mine, "permissions": ["read"]])["key"] as? String)
            let predictor = try #require(
                try await server.request(
                    .POST, "/v1/api-keys", token: token,
                    json: ["name": "p", "projectId": mine, "permissions": ["predict"]])["key"] as? String)

            #expect(try await server.request(.GET, "/v1/projects/\(mine)", token: reader).status == 200)
            let list = try await server.request(.GET, "/v1/projects", token: reader)
            #expect((list["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [mine])
            #expect(try await server.request(.GET, "/v1/projects/\(other)", token: reader).status == 404)
            #expect(try await server.request(.GET, "/v1/projects/\(mine)", token: predictor).status == 403)
            #expect(
                try await server.request(.PATCH, "/v1/projects/\(mine)", token: reader, json: ["name": "x"]).status
                    == 403)
            #expect(try await server.request(.DELETE, "/v1/projects/\(mine)", token: reader).status == 403)
            #expect(
                try await server.request(
                    .POST, "/v1/projects", token: reader, json: ["name": "x", "task": "detection"]
                ).status == 403)
            #expect(try await server.request(.GET, "/v1/api-keys", token: reader).status == 403)
            #expect(try await server.request(.GET, "/v1/auth/me", token: reader).status == 403)
            #expect(try await server.request(.POST, "/v1/auth/logout", token: reader).status == 403)
        }
    }

    @Test(arguments: TestDatabase.all)
    func revokedAndExpiredKeysStopWorking(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("cams", token: token)
            let created = try await server.request(
                .POST, "/v1/api-keys", token: token, json: ["name": "k", "projectId": project, "permissions": ["read"]])
            let secret = try #require(created["key"] as? String)
            let id = try #require(created["id"] as? String)
            #expect(try await server.request(.GET, "/v1/projects/\(project)", token: secret).status == 200)
            #expect(try await server.request(.DELETE, "/v1/api-keys/\(id)", token: token).status == 204)
            #expect(try await server.request(.GET, "/v1/projects/\(project)", token: secret).status == 401)
            #expect(try await server.request(.DELETE, "/v1/api-keys/\(id)", token: token).status == 404)
            let past = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
            let expired = try await server.request(
                .POST, "/v1/api-keys", token: token,
                json: ["name": "old", "projectId": project, "permissions": ["read"], "expiresAt": past])
            #expect(expired.status == 422)
            // Long enough to be used before it expires even on a loaded machine.
            let expiry = Date().addingTimeInterval(6)
            let soon = ISO8601DateFormatter().string(from: expiry)
            let shortLived = try #require(
                try await server.request(
                    .POST, "/v1/api-keys", token: token,
                    json: ["name": "s", "projectId": project, "permissions": ["read"], "expiresAt": soon])["key"]
                    as? String)
            #expect(try await server.request(.GET, "/v1/projects/\(project)", token: shortLived).status == 200)
            try await Task.sleep(for: .seconds(max(0, expiry.timeIntervalSinceNow) + 1))
            #expect(try await server.request(.GET, "/v1/projects/\(project)", token: shortLived).status == 401)
        }
    }

    @Test(arguments: TestDatabase.all)
    func invalidKeyRequestsAndOtherUsersKeys(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let alice = try await server.signUp("alice")
            let bob = try await server.signUp("bob")
            let project = try await server.createProject("cams", token: alice)
            let id = try #require(
                try await server.request(
                    .POST, "/v1/api-keys", token: alice,
                    json: ["name": "k", "projectId": project, "permissions": ["read"]])["id"] as? String)
            #expect(
                try await server.request(
                    .POST, "/v1/api-keys", token: bob,
                    json: ["name": "k", "projectId": project, "permissions": ["read"]]
                ).status == 404)
            #expect(
                try await server.request(
                    .POST, "/v1/api-keys", token: alice,
                    json: ["name": "k", "projectId": project, "permissions": ["admin"]]
                ).status == 400)
            #expect(
                try await server.request(
                    .POST, "/v1/api-keys", token: alice, json: ["name": "k", "projectId": project, "permissions": []]
                ).status == 422)
            #expect(
                try await server.request(
                    .POST, "/v1/api-keys", token: alice,
                    json: ["name": "", "projectId": project, "permissions": ["read"]]
                ).status == 422)
            #expect(try await server.request(.GET, "/v1/api-keys/\(id)", token: bob).status == 404)
            #expect(try await server.request(.DELETE, "/v1/api-keys/\(id)", token: bob).status == 404)
            #expect(try await server.request(.GET, "/v1/api-keys/\(id)", token: alice).status == 200)
            #expect(
                try await server.request(.GET, "/v1/projects", token: "mnw_" + String(repeating: "A", count: 43)).status
                    == 401)
        }
    }

    @Test(arguments: TestDatabase.all)
    func deletingAProjectDeletesItsKeys(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("cams", token: token)
            _ = try await server.request(
                .POST, "/v1/api-keys", token: token, json: ["name": "k", "projectId": project, "permissions": ["read"]])
            #expect(try await server.count("api_keys") == 1)
            #expect(try await server.request(.DELETE, "/v1/projects/\(project)", token: token).status == 204)
            #expect(try await server.count("api_keys") == 0)
        }
    }
}

import SQLKit
