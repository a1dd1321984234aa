import Foundation
import Testing

@Suite("Accounts over HTTP")
struct AuthTests {
    @Test(arguments: TestDatabase.all)
    func registerSignInWhoAmI(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            // act
            let registered = try await server.request(
                .POST, "/v1/auth/register", json: ["username": "Ada", "password": "correct horse"])
            let token = try await server.signIn("ada")
            let me = try await server.request(.GET, "/v1/auth/me", token: token)
            // check
            #expect(registered.status == 201)
            #expect(registered["username"] as? String == "ada")
            #expect(registered["passwordHash"] == nil && !registered.text.contains("$2"))
            #expect(me.status == 200)
            #expect(me["username"] as? String == "ada")
            #expect(me["id"] as? String == registered["id"] as? String)
        }
    }

    @Test(arguments: TestDatabase.all)
    func duplicateAndInvalidRegistrations(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            _ = try await server.signUp("grace")
            let duplicate = try await server.request(
                .POST, "/v1/auth/register", json: ["username": "GRACE", "password": "another one"])
            let shortPassword = try await server.request(
                .POST, "/v1/auth/register", json: ["username": "linus", "password": "short"])
            let badName = try await server.request(
                .POST, "/v1/auth/register", json: ["username": "a b", "password": "long enough"])
            let longPassword = try await server.request(
                .POST, "/v1/auth/register", json: ["username": "linus", "password": String(repeating: "x", count: 73)])
            #expect(duplicate.status == 409 && duplicate.errorCode == "conflict")
            #expect(shortPassword.status == 422 && shortPassword.errorMessage?.contains("at least 8") == true)
            #expect(badName.status == 422 && badName.errorCode == "validation_failed")
            #expect(longPassword.status == 422)
        }
    }

    @Test(arguments: TestDatabase.all)
    func malformedRequestsGetClearErrors(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let badJSON = try await server.request(
                .POST, "/v1/auth/register", body: Data("{\"username\": ".utf8),
                headers: [("Content-Type", "application/json")])
            let missingField = try await server.request(.POST, "/v1/auth/register", json: ["username": "nopassword"])
            let wrongType = try await server.request(
                .POST, "/v1/auth/register", json: ["username": 42, "password": "long enough"])
            let wrongMedia = try await server.request(
                .POST, "/v1/auth/register", body: Data("username=a".utf8),
                headers: [("Content-Type", "application/x-www-form-urlencoded")])
            let noBody = try await server.request(.POST, "/v1/auth/login")
            for response in [badJSON, missingField, wrongType, wrongMedia, noBody] {
                #expect(response.status >= 400 && response.status < 500, "\(response.status) \(response.text)")
                #expect(response.errorCode != nil && response.errorMessage != nil, "error shape: \(response.text)")
                #expect(
                    !response.text.contains("Swift") && !response.text.contains("/Sources/"),
                    "leaks internals: \(response.text)")
            }
            #expect(badJSON.status == 400)
            #expect(missingField.status == 400 && missingField.errorMessage?.contains("password") == true)
            #expect(wrongType.status == 400)
            #expect(wrongMedia.status == 415)
            #expect(noBody.status == 400)
        }
    }

    @Test(arguments: TestDatabase.all)
    func oversizeBodiesAre413(database: TestDatabase) async throws {
        try await TestServer.with(database, configure: { $0.maxJSONBodyBytes = 4096 }) { server in
            let big = ["username": "big", "password": String(repeating: "p", count: 10_000)]
            let declared = try await server.request(.POST, "/v1/auth/register", json: big)
            #expect(declared.status == 413 && declared.errorCode == "payload_too_large")
            let chunked = try await server.postChunked(
                "/v1/auth/register", body: Data(repeating: 0x20, count: 64 * 1024))
            #expect(chunked == 413)
            let health = try await server.request(.GET, "/healthz")
            #expect(health.status == 200)
        }
    }

    @Test(arguments: TestDatabase.all)
    func wrongCredentialsAndBadTokensAre401(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("alan")
            let wrongPassword = try await server.request(
                .POST, "/v1/auth/login", json: ["username": "alan", "password": "wrong password"])
            let unknownUser = try await server.request(
                .POST, "/v1/auth/login", json: ["username": "nobody", "password": "wrong password"])
            let noToken = try await server.request(.GET, "/v1/auth/me")
            let garbage = try await server.request(.GET, "/v1/auth/me", token: "not.a.token")
            var tampered = Array(token)
            tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
            let forged = try await server.request(.GET, "/v1/auth/me", token: String(tampered))
            #expect(wrongPassword.status == 401 && unknownUser.status == 401)
            #expect(wrongPassword.errorMessage == unknownUser.errorMessage, "must not reveal which usernames exist")
            #expect(noToken.status == 401 && noToken.headers.first(name: "WWW-Authenticate") == "Bearer")
            #expect(garbage.status == 401 && forged.status == 401)
        }
    }

    @Test(arguments: TestDatabase.all)
    func logoutRevokesTheToken(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let first = try await server.signUp("barbara")
            let second = try await server.signIn("barbara")
            let logout = try await server.request(.POST, "/v1/auth/logout", token: first)
            #expect(logout.status == 204)
            #expect(try await server.request(.GET, "/v1/auth/me", token: first).status == 401)
            #expect(try await server.request(.POST, "/v1/auth/logout", token: first).status == 401)
            #expect(
                try await server.request(.GET, "/v1/auth/me", token: second).status == 200,
                "other sessions stay signed in")
        }
    }

    @Test(arguments: TestDatabase.all)
    func passwordChangeRevokesOlderTokens(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let old = try await server.signUp("edsger")
            let wrong = try await server.request(
                .PUT, "/v1/auth/password", token: old,
                json: ["currentPassword": "nope nope", "newPassword": "new password"])
            let weak = try await server.request(
                .PUT, "/v1/auth/password", token: old,
                json: ["currentPassword": "correct horse", "newPassword": "short"])
            let changed = try await server.request(
                .PUT, "/v1/auth/password", token: old,
                json: ["currentPassword": "correct horse", "newPassword": "battery staple"])
            let fresh = try #require(changed["accessToken"] as? String)
            #expect(wrong.status == 422 && weak.status == 422 && changed.status == 200)
            #expect(try await server.request(.GET, "/v1/auth/me", token: old).status == 401)
            #expect(try await server.request(.GET, "/v1/auth/me", token: fresh).status == 200)
            let oldPassword = try await server.request(
                .POST, "/v1/auth/login", json: ["username": "edsger", "password": "correct horse"])
            #expect(oldPassword.status == 401)
            _ = try await server.signIn("edsger", password: "battery staple")
        }
    }

    @Test(arguments: TestDatabase.all)
    func deletingTheAccountRemovesEverythingItOwns(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ken")
            let project = try await server.createProject("cams", token: token)
            let key = try await server.request(
                .POST, "/v1/api-keys", token: token,
                json: ["name": "cam", "projectId": project, "permissions": ["read"]])
            let secret = try #require(key["key"] as? String)
            let other = try await server.signUp("dennis")
            _ = try await server.createProject("kept", token: other)

            let deleted = try await server.request(.DELETE, "/v1/auth/me", token: token)

            #expect(deleted.status == 204)
            #expect(try await server.request(.GET, "/v1/auth/me", token: token).status == 401)
            #expect(try await server.request(.GET, "/v1/projects/\(project)", token: secret).status == 401)
            #expect(try await server.count("projects") == 1, "only the other user's project is left")
            #expect(try await server.count("api_keys") == 0)
            #expect(try await server.count("users") == 1)
            _ = try await server.signUp("ken")  // the name is free again
        }
    }

    @Test(arguments: TestDatabase.all)
    func signInIsRateLimitedPerUserAndPerAddress(database: TestDatabase) async throws {
        try await TestServer.with(
            database,
            configure: {
                $0.loginLimits.failuresPerUsername = 3
                $0.loginLimits.attemptsPerAddress = 8
            }
        ) { server in
            _ = try await server.signUp("mallory")  // one attempt from this address
            for _ in 0..<3 {
                let failed = try await server.request(
                    .POST, "/v1/auth/login", json: ["username": "mallory", "password": "guess guess"])
                #expect(failed.status == 401)
            }
            let limited = try await server.request(
                .POST, "/v1/auth/login", json: ["username": "mallory", "password": "correct horse"])
            #expect(limited.status == 429 && limited.errorCode == "rate_limited")
            let retryAfter = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 900)

            // Other usernames from the same address: 5 attempts used (refused ones count), 3 left.
            for _ in 0..<3 {
                #expect(
                    try await server.request(
                        .POST, "/v1/auth/login", json: ["username": "someone", "password": "guess guess"]
                    ).status == 401)
            }
            let addressLimited = try await server.request(
                .POST, "/v1/auth/login", json: ["username": "another", "password": "guess guess"])
            #expect(addressLimited.status == 429)
        }
    }
}
