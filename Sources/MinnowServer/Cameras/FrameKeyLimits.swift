// Limits on the keys that post frames: `framesPerMinute` in each server's memory (no query per
// frame; N nodes admit up to N times it) and `dailyFrameQuota` per UTC day in the database,
// counted by one atomic UPDATE per frame so that every node and every restart sees the same
// count and a key is never admitted past its quota. Every posted frame counts, readable or not.
import Fluent
import Foundation
import MinnowCore
import SQLKit

struct FrameKeyLimits {
    enum Refusal: Equatable {
        case overRate(perMinute: Int, retryAfter: Int)
        case overQuota(quota: Int, retryAfter: Int)
    }

    let db: any Database
    let limiter: RateLimiter
    let metrics: CameraMetrics

    /// Counts a frame for `key`; the refusal when it is over a limit.
    func admit(_ key: KeyGrant, now: Date = Date()) async throws -> Refusal? {
        if let perMinute = key.framesPerMinute,
            let wait = limiter.admit(key.keyID.uuidString, perMinute: perMinute, now: now)
        {
            return .overRate(perMinute: perMinute, retryAfter: wait)
        }
        guard let quota = key.dailyFrameQuota, let sql = db as? any SQLDatabase else { return nil }
        let today = PredictionQuota.day(of: now)
        let counted = try await sql.raw(
            """
            UPDATE api_keys SET quota_used = CASE WHEN quota_day = \(bind: today) THEN quota_used + 1 ELSE 1 END, quota_day = \(bind: today)
            WHERE id = \(bind: key.keyID) AND (quota_day IS NULL OR quota_day <> \(bind: today) OR quota_used < daily_frame_quota)
            RETURNING quota_used
            """
        ).first()
        guard counted == nil else { return nil }
        metrics.registry.makeCounter(descriptor: CameraMetrics.quotaRefusals, labels: [("key", key.keyID.uuidString)])
            .increment()
        return .overQuota(quota: quota, retryAfter: PredictionQuota.secondsToNextDay(from: now))
    }
}
