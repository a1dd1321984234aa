// Limits (issue 16): sign-in counters live in the database, so two API nodes on one database
// refuse together; prediction keys get a per-process requests-per-minute limit with 429,
// Retry-After and a metric.
import Foundation
@testable import MinnowServer
import Testing

@Suite("Limits")
struct LimitsTests {
    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func signInLimitsAreSharedByServersOnOneDatabase(database: TestDatabase) async throws {
        let limits: (inout ServerConfiguration) -> Void = {
            $0.loginLimits.failuresPerUsername = 3
            $0.loginLimits.attemptsPerAddress = 1000
        }
        try await TestServer.with(database, configure: limits) { first in
            try await TestServer.with(database, configure: {
                limits(&$0)
                $0.databaseURL = first.config.databaseURL  // the same database: a second API node
                $0.secretFile = first.config.resolvedSecretFile
            }) { second in
                _ = try await first.signUp("mallory")
                _ = try await second.signIn("mallory")  // the account is shared too
                for _ in 0..<3 {
                    let failed = try await first.request(.POST, "/v1/auth/login", json: ["username": "mallory", "password": "guess guess"])
                    #expect(failed.status == 401)
                }
                let limited = try await second.request(.POST, "/v1/auth/login", json: ["username": "mallory", "password": "correct horse"])
                #expect(limited.status == 429 && limited.errorCode == "rate_limited", "\(limited.text)")
                let retryAfter = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
                #expect(retryAfter > 0 && retryAfter <= 900)
                #expect(try await first.request(.POST, "/v1/auth/login", json: ["username": "mallory", "password": "correct horse"]).status == 429)
                // Another user is not affected.
                _ = try await second.signUp("alice")
                #expect(try await first.request(.POST, "/v1/auth/login", json: ["username": "alice", "password": "correct horse"]).status == 200)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func signInCountersOutliveTheirWindowOnlyUntilMaintenance(database: TestDatabase) async throws {
        try await TestServer.with(database, configure: { $0.loginLimits.window = 1 }) { server in
            _ = try await server.signUp("ken")
            #expect(try await server.request(.POST, "/v1/auth/login", json: ["username": "ken", "password": "guess guess"]).status == 401)
            #expect(try await server.count("login_counters") == 2, "one for the address, one for the username")
            try await LoginRateLimiter.removeExpired(on: server.app.db, now: Date().addingTimeInterval(LoginRateLimiter.longestWindow + 10))
            #expect(try await server.count("login_counters") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func predictionKeysAreLimitedPerMinute(database: TestDatabase) async throws {
        try await TestServer.with(database, configure: { $0.predictionRateLimit = 3 }) { server in
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            var keys: [String: String] = [:]
            for name in ["limited", "other"] {
                let published = try await server.request(.POST, "/v1/projects/\(project)/deployments", token: token, json: ["name": name, "iterationId": iteration])
                keys[name] = try #require(published["predictionKey"] as? String, "\(published.text)")
            }
            let image = StripeImages.png(horizontal: true, seed: 5)
            func predict(_ name: String) async throws -> TestResponse {
                try await server.request(.POST, "/v1/predict/\(name)", body: image, headers: [("Prediction-Key", keys[name]!), ("Content-Type", "image/png")])
            }
            for _ in 0..<3 { #expect(try await predict("limited").status == 200) }
            let refused = try await predict("limited")
            #expect(refused.status == 429 && refused.errorCode == "rate_limited", "\(refused.text)")
            let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 60)
            #expect(try await predict("other").status == 200, "another deployment has its own count")

            let metrics = try await server.request(.GET, "/metrics").text
            #expect(metrics.contains("minnow_prediction_rate_limited_total{deployment=\"limited\"} 1"), "\(metrics)")
        }
    }
}
