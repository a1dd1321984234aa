// Frame limits per key (429 with Retry-After, counted in /metrics; the day's count in the
// database) and retention: similar frames and frames without a detection are not kept, old
// frames and frames over the project's cap are expired by maintenance, and blob collection
// deletes their bytes while the observations stay.
import Fluent
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import SQLKit
import Testing

@Suite("Camera limits and retention")
struct CameraRetentionTests {
    @Test(arguments: TestDatabase.all)
    func frameKeysHaveLimitsPerMinuteAndPerDay(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let world = try await CameraWorld.make(server)
            let frame = StripeImages.png(horizontal: false, seed: 1003)
            let (fast, fastKey, _) = try await CameraWorld.addCamera(
                "fast", to: world.project, deployment: "stripes", token: world.token,
                server: server, limits: ["framesPerMinute": 2])
            for _ in 0..<2 { #expect(try await world.post(frame, camera: fast, key: fastKey).status == 201) }
            let limited = try await world.post(frame, camera: fast, key: fastKey)
            #expect(limited.status == 429 && limited.errorCode == "rate_limited", "\(limited.text)")
            let wait = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(wait > 0 && wait <= 60)
            #expect(try await world.post(frame).status == 201, "another camera's key has its own count")

            let (daily, dailyKey, dailyKeyID) = try await CameraWorld.addCamera(
                "daily", to: world.project, deployment: "stripes", token: world.token,
                server: server, limits: ["dailyFrameQuota": 2])
            for _ in 0..<2 { #expect(try await world.post(frame, camera: daily, key: dailyKey).status == 201) }
            let over = try await world.post(frame, camera: daily, key: dailyKey)
            #expect(
                over.status == 429 && over.errorCode == "quota_exceeded"
                    && over.errorMessage?.contains("quota of 2 frames") == true, "\(over.text)")
            let untilMidnight = try #require(over.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(abs(untilMidnight - PredictionQuota.secondsToNextDay(from: Date())) <= 2)
            let metrics = try await server.request(.GET, "/metrics").text
            #expect(
                metrics.contains("minnow_ingest_rate_limited_total{key=\"")
                    && metrics.contains("minnow_ingest_quota_exceeded_total{key=\""), "\(metrics)")
            // raising the quota lets exactly one more in; the key shows the day's count
            let raised = try await server.request(
                .PATCH, "/v1/api-keys/\(dailyKeyID)", token: world.token, json: ["dailyFrameQuota": 3])
            #expect(
                raised.status == 200 && raised["dailyFrameQuota"] as? Int == 3 && raised["framesToday"] as? Int == 2,
                "\(raised.text)")
            #expect(try await world.post(frame, camera: daily, key: dailyKey).status == 201)
            #expect(try await world.post(frame, camera: daily, key: dailyKey).status == 429)
            // a new UTC day starts a new count
            let sql = try #require(server.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE api_keys SET quota_day = '2001-01-01'").run()
            #expect(try await world.post(frame, camera: daily, key: dailyKey).status == 201)
            let removed = try await server.request(
                .PATCH, "/v1/api-keys/\(dailyKeyID)", token: world.token, json: ["dailyFrameQuota": 0])
            #expect(removed.status == 200 && removed["dailyFrameQuota"] == nil)
            #expect(
                try await server.request(
                    .PATCH, "/v1/api-keys/\(dailyKeyID)", token: world.token, json: [:] as [String: Any]
                ).status == 422)
            #expect(
                try await server.request(
                    .PATCH, "/v1/api-keys/\(dailyKeyID)", token: world.cameraKey, json: ["dailyFrameQuota": 1]
                ).status == 403)
        }
    }

    @Test(arguments: TestDatabase.all)
    func retentionKeepsWhatTheProjectAsksAndExpiresTheRest(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let world = try await CameraWorld.make(server)
            let settings = try await server.request(
                .PATCH, "/v1/projects/\(world.project)", token: world.token,
                json: ["retention": ["similarFrameDistance": 6]])
            #expect((settings["retention"] as? [String: Any])?["similarFrameDistance"] as? Int == 6, "\(settings.text)")
            #expect((settings["retention"] as? [String: Any])?["frameDays"] as? Int == 30)
            #expect(
                try await server.request(
                    .PATCH, "/v1/projects/\(world.project)", token: world.token,
                    json: ["retention": ["similarFrameDistance": 65]]
                ).status == 422)
            // the same scene twice: the second frame is not kept, its observation is
            let scene = StripeImages.png(horizontal: true, seed: 1010)
            #expect(try await world.post(scene)["frame"] as? String == "stored")
            let repeated = try await world.post(scene)
            #expect(repeated.status == 201 && repeated["frame"] as? String == "similar", "\(repeated.text)")
            let repeatedID = try #require(repeated["id"] as? String)
            #expect(
                try await server.request(
                    .GET, "/v1/projects/\(world.project)/observations/\(repeatedID)/frame", token: world.token
                ).status == 404)
            #expect(
                try await world.post(StripeImages.png(horizontal: false, seed: 1011))["frame"] as? String == "stored",
                "a different scene is kept")

            // old frames expire; over the cap, the oldest go first
            let sql = try #require(server.app.db as? any SQLDatabase)
            let frames = [
                StripeImages.png(horizontal: false, seed: 1012), StripeImages.png(horizontal: true, seed: 1013),
                StripeImages.png(horizontal: false, seed: 1014),
            ]
            var ids: [String] = []
            for frame in frames { ids.append(try #require(try await world.post(frame)["id"] as? String)) }
            let firstTwo = try await Observation.query(on: server.app.db).filter(\.$frameStatus == .stored).sort(
                \.$receivedAt
            ).limit(2).all()
            for old in firstTwo {
                old.receivedAt = Date().addingTimeInterval(-40 * 86_400)
                try await old.save(on: server.app.db)
            }
            let capBytes = frames[1].count + frames[2].count
            _ = try await server.request(
                .PATCH, "/v1/projects/\(world.project)", token: world.token,
                json: ["retention": ["maxFrameBytes": capBytes]])
            let expired = try await FrameRetention.run(
                on: server.app.db, metrics: CameraMetrics(registry: server.services.metrics))
            #expect(expired == 3, "two by age, then the oldest remaining one over the cap")
            let kept = try await Observation.query(on: server.app.db).filter(\.$frameStatus == .stored).all()
            #expect(Set(kept.map { $0.id!.apiString }) == Set(ids.suffix(2)))
            #expect(try await Observation.query(on: server.app.db).count() == 6, "observations stay")
            // their bytes are collected; the kept ones stay
            _ = try await DatabaseBlobStore(database: server.app.db, references: BlobReferences.all).collectGarbage(
                gracePeriod: 0)
            let expiredFrame = try await server.request(
                .GET, "/v1/projects/\(world.project)/observations/\(ids[0])/frame", token: world.token)
            #expect(expiredFrame.status == 404)
            let keptFrame = try await server.request(
                .GET, "/v1/projects/\(world.project)/observations/\(ids[2])/frame", token: world.token)
            #expect(keptFrame.status == 200 && keptFrame.body == frames[2])
            let row = try await sql.raw(
                "SELECT COUNT(*) AS n FROM blobs WHERE id = \(bind: BlobID(content: frames[0]).hex)"
            ).first()
            #expect(try row?.decode(column: "n", as: Int.self) == 0)
            let metrics = try await server.request(.GET, "/metrics").text
            #expect(
                metrics.contains("minnow_frames_expired_total{reason=\"age\"} 2")
                    && metrics.contains("minnow_frames_expired_total{reason=\"cap\"} 1"), "\(metrics)")
            #expect(
                metrics.contains("minnow_frames_stored 2")
                    && metrics.contains("minnow_frames_ingested_total{frame=\"similar\"} 1"), "\(metrics)")
            let sightings = try await server.request(
                .GET, "/v1/projects/\(world.project)/sightings?limit=200", token: world.token)
            #expect(sightings.items.count == 6 && sightings.items.filter { $0["hasFrame"] as? Bool == true }.count == 2)
        }
    }
}
