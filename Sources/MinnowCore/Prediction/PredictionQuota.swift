// Daily quotas per deployment key: a deployment may set how many predictions its key gets per
// UTC day. The count lives in the database (`deployments.quota_used` for `quota_day`), added to
// by `PredictionStats` every two seconds, so every API node sees every node's predictions; a
// node admits a request while the database's count, as its deployment directory last read it,
// plus its own predictions that read could not contain yet stays under the quota. A node sees
// its own predictions at once; other nodes' within a few seconds (the save and the next read). Refusals answer 429 with
// `Retry-After` (seconds to the next UTC midnight) and are counted in
// `minnow_prediction_quota_exceeded_total{deployment}`.
import Foundation
import Prometheus

package enum PredictionQuota {
    package static var refusals: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "minnow", metricName: "prediction_quota_exceeded", unitName: "total",
            helpText: "Predictions refused with 429 because the deployment key has used its daily quota.")
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The UTC day of `date` as `yyyy-mm-dd`.
    package static func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Whole seconds from `date` to the next UTC midnight (at least 1).
    package static func secondsToNextDay(from date: Date) -> Int {
        let midnight = calendar.nextDate(
            after: date, matching: DateComponents(hour: 0, minute: 0, second: 0), matchingPolicy: .nextTime)!
        return max(1, Int(midnight.timeIntervalSince(date).rounded(.up)))
    }
}
