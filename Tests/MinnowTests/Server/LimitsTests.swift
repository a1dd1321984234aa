// Limits (issue 16): sign-in counters live in the database, so two API nodes on one database
// refuse together; prediction keys get a per-process requests-per-minute limit with 429,
// Retry-After and a metric.
import Fluent
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
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
            try await TestServer.with(
                database,
                configure: {
                    limits(&$0)
                    $0.databaseURL = first.config.databaseURL  // the same database: a second API node
                    $0.secretFile = first.config.resolvedSecretFile
                }
            ) { second in
                _ = try await first.signUp("mallory")
                _ = try await second.signIn("mallory")  // the account is shared too
                for _ in 0..<3 {
                    let failed = try await first.request(
                        .POST, "/v1/auth/login", json: ["username": "mallory", "password": "guess guess"])
                    #expect(failed.status == 401)
                }
                let limited = try await second.request(
                    .POST, "/v1/auth/login", json: ["username": "mallory", "password": "correct horse"])
                #expect(limited.status == 429 && limited.errorCode == "rate_limited", "\(limited.text)")
                let retryAfter = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
                #expect(retryAfter > 0 && retryAfter <= 900)
                #expect(
                    try await first.request(
                        .POST, "/v1/auth/login", json: ["username": "mallory", "password": "correct horse"]
                    ).status == 429)
                // Another user is not affected.
                _ = try await second.signUp("alice")
                #expect(
                    try await first.request(
                        .POST, "/v1/auth/login", json: ["username": "alice", "password": "correct horse"]
                    ).status == 200)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func signInCountersOutliveTheirWindowOnlyUntilMaintenance(database: TestDatabase) async throws {
        try await TestServer.with(database, configure: { $0.loginLimits.window = 1 }) { server in
            _ = try await server.signUp("ken")
            #expect(
                try await server.request(.POST, "/v1/auth/login", json: ["username": "ken", "password": "guess guess"])
                    .status == 401)
            #expect(try await server.count("login_counters") == 2, "one for the address, one for the username")
            try await LoginRateLimiter.removeExpired(
                on: server.app.db, now: Date().addingTimeInterval(LoginRateLimiter.longestWindow + 10))
            #expect(try await server.count("login_counters") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func predictionKeysAreLimitedPerMinute(database: TestDatabase) async throws {
        try await TestServer.with(database, configure: { $0.predictionRateLimit = 3 }) { server in
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            var keys: [String: String] = [:]
            for name in ["limited", "other"] {
                let published = try await server.request(
                    .POST, "/v1/projects/\(project)/deployments", token: token,
                    json: ["name": name, "iterationId": iteration])
                keys[name] = try #require(published["predictionKey"] as? String, "\(published.text)")
            }
            let image = StripeImages.png(horizontal: true, seed: 5)
            func predict(_ name: String) async throws -> TestResponse {
                try await server.request(
                    .POST, "/v1/predict/\(name)", body: image,
                    headers: [("Prediction-Key", keys[name]!), ("Content-Type", "image/png")])
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

    @Test(arguments: TestDatabase.all)
    func deploymentKeysHaveADailyQuotaCountedInTheDatabase(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            let invalid = try await server.request(
                .POST, "/v1/projects/\(project)/deployments", token: token,
                json: ["name": "quota", "iterationId": iteration, "dailyQuota": 0])
            #expect(invalid.status == 422 || invalid.status == 400, "\(invalid.text)")
            let published = try await server.request(
                .POST, "/v1/projects/\(project)/deployments", token: token,
                json: ["name": "quota", "iterationId": iteration, "dailyQuota": 3])
            #expect(published["dailyQuota"] as? Int == 3 && published["usedToday"] as? Int == 0, "\(published.text)")
            let key = try #require(published["predictionKey"] as? String, "\(published.text)")
            let image = StripeImages.png(horizontal: true, seed: 5)
            func predict() async throws -> TestResponse {
                try await server.request(
                    .POST, "/v1/predict/quota", body: image,
                    headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            }
            // act: three answered, the fourth refused until midnight UTC
            for _ in 0..<3 { #expect(try await predict().status == 200) }
            let refused = try await predict()
            // check
            #expect(refused.status == 429 && refused.errorCode == "quota_exceeded", "\(refused.text)")
            #expect(refused.errorMessage?.contains("quota of 3 predictions for today (UTC)") == true)
            let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(
                retryAfter == PredictionQuota.secondsToNextDay(from: Date())
                    || abs(retryAfter - PredictionQuota.secondsToNextDay(from: Date())) <= 2)
            let metrics = try await server.request(.GET, "/metrics").text
            #expect(metrics.contains("minnow_prediction_quota_exceeded_total{deployment=\"quota\"} 1"), "\(metrics)")
            // the count is saved (every two seconds): another process (a fresh directory) sees it
            var usedToday: Int?
            for _ in 0..<150 where usedToday != 3 {
                try await Task.sleep(for: .milliseconds(200))
                let listed = try await server.request(.GET, "/v1/projects/\(project)/deployments", token: token)
                usedToday = (listed["items"] as? [[String: Any]])?.first?["usedToday"] as? Int
            }
            #expect(usedToday == 3)
            let directory = DeploymentDirectory(models: ModelCache(), metrics: .init())
            let entry = try #require(try await directory.entry(named: "quota", on: server.app.db))
            #expect(entry.used(on: PredictionQuota.day(of: Date())) == 3 && entry.used(on: "2001-01-01") == 0)
            // raising or removing the quota lets the key in again at once
            let raised = try await server.request(
                .PATCH, "/v1/projects/\(project)/deployments/quota", token: token, json: ["dailyQuota": 4])
            #expect(
                raised.status == 200 && raised["dailyQuota"] as? Int == 4 && raised["usedToday"] as? Int == 3,
                "\(raised.text)")
            #expect(try await predict().status == 200)
            #expect(try await predict().status == 429)
            let removed = try await server.request(
                .PATCH, "/v1/projects/\(project)/deployments/quota", token: token, json: ["dailyQuota": 0])
            #expect(removed.status == 200 && removed["dailyQuota"] == nil, "\(removed.text)")
            #expect(try await predict().status == 200)
            let empty = try await server.request(
                .PATCH, "/v1/projects/\(project)/deployments/quota", token: token, json: [String: Any]())
            #expect(empty.status == 422, "\(empty.text)")
            // a new UTC day starts the count again; first wait until the server has saved today's five
            // answers, or its own flush (every two seconds) would write today's day over tomorrow's
            for _ in 0..<150 where usedToday != 5 {
                try await Task.sleep(for: .milliseconds(200))
                let listed = try await server.request(.GET, "/v1/projects/\(project)/deployments", token: token)
                usedToday = (listed["items"] as? [[String: Any]])?.first?["usedToday"] as? Int
            }
            #expect(usedToday == 5)
            let stats = PredictionStats()
            stats.record(entry.deploymentID, milliseconds: 1, failed: false)
            await stats.flush(on: server.app.db, logger: server.app.logger, now: Date().addingTimeInterval(86_400))
            let tomorrow = try #require(
                try await Deployment.query(on: server.app.db).filter(\.$name == "quota").first())
            #expect(
                tomorrow.quotaDay == PredictionQuota.day(of: Date().addingTimeInterval(86_400))
                    && tomorrow.quotaUsed == 1)
        }
    }

    @Test func quotaDaysAreUTC() {
        let lateUTC = Date(timeIntervalSince1970: 1_796_515_199)  // 2026-12-05 23:59:59 UTC
        #expect(PredictionQuota.day(of: lateUTC) == "2026-12-05")
        #expect(PredictionQuota.day(of: lateUTC.addingTimeInterval(1)) == "2026-12-06")
        #expect(PredictionQuota.secondsToNextDay(from: lateUTC) == 1)
        #expect(PredictionQuota.secondsToNextDay(from: lateUTC.addingTimeInterval(1)) == 86_400)
    }
}
