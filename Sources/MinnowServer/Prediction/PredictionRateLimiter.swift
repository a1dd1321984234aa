// Requests per minute per deployment key (`--prediction-rate-limit`, 0 = unlimited). Counted
// in this process's memory, never in the database: the prediction path makes no query per
// request, so on N API nodes a key gets up to N times the limit. A fixed one-minute window
// per deployment starts at its first request; refusals are counted in
// `minnow_prediction_rate_limited_total{deployment}`.
import Foundation
import Prometheus
import Synchronization

final class PredictionRateLimiter: Sendable {
    private struct Window {
        var start: Date
        var count: Int
    }

    static let window: TimeInterval = 60
    static var refusals: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "minnow", metricName: "prediction_rate_limited", unitName: "total",
                             helpText: "Predictions refused with 429 because the deployment key is over --prediction-rate-limit.")
    }

    let perMinute: Int
    private let metrics: PrometheusCollectorRegistry
    private let windows = Mutex<[String: Window]>([:])

    init(perMinute: Int, metrics: PrometheusCollectorRegistry) {
        self.perMinute = perMinute
        self.metrics = metrics
    }

    /// Counts a request for `deployment`; returns the seconds to wait when over the limit.
    func admit(_ deployment: String, now: Date = Date()) -> Int? {
        guard perMinute > 0 else { return nil }
        let wait = windows.withLock { windows -> Int? in
            if windows.count > 10_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < Self.window } }
            var window = windows[deployment] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(window.start) >= Self.window { window = Window(start: now, count: 0) }
            guard window.count < perMinute else {
                return max(1, Int((window.start.addingTimeInterval(Self.window).timeIntervalSince(now)).rounded(.up)))
            }
            window.count += 1
            windows[deployment] = window
            return nil
        }
        if wait != nil {
            metrics.makeCounter(descriptor: Self.refusals, labels: [("deployment", deployment)]).increment()
        }
        return wait
    }
}
