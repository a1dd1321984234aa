// Requests per minute per key, counted in this process's memory, never in the database: the
// prediction and frame paths make no extra query for it, so on N API nodes a key gets up to N
// times its limit. A fixed one-minute window per name starts at its first request. Used for
// deployment keys (`--prediction-rate-limit`, `minnow_prediction_rate_limited_total{deployment}`)
// and for keys' `framesPerMinute` (`minnow_ingest_rate_limited_total{key}`).
import Foundation
import Prometheus
import Synchronization

final class RateLimiter: Sendable {
    private struct Window {
        var start: Date
        var count: Int
    }

    static let window: TimeInterval = 60

    /// Refusals are counted under `minnow_<metric>_total{label=<name>}`.
    private let metric: String
    private let help: String
    private let label: String
    private let metrics: PrometheusCollectorRegistry
    private let windows = Mutex<[String: Window]>([:])

    init(metric: String, help: String, label: String, metrics: PrometheusCollectorRegistry) {
        self.metric = metric
        self.help = help
        self.label = label
        self.metrics = metrics
    }

    /// Counts a request for `name` against `perMinute` (0: unlimited); returns the seconds to
    /// wait when over the limit.
    func admit(_ name: String, perMinute: Int, now: Date = Date()) -> Int? {
        guard perMinute > 0 else { return nil }
        let wait = windows.withLock { windows -> Int? in
            if windows.count > 10_000 {
                windows = windows.filter { now.timeIntervalSince($0.value.start) < Self.window }
            }
            var window = windows[name] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(window.start) >= Self.window { window = Window(start: now, count: 0) }
            guard window.count < perMinute else {
                return max(1, Int((window.start.addingTimeInterval(Self.window).timeIntervalSince(now)).rounded(.up)))
            }
            window.count += 1
            windows[name] = window
            return nil
        }
        if wait != nil {
            let descriptor = MetricNameDescriptor(
                namespace: "minnow", metricName: metric, unitName: "total", helpText: help)
            metrics.makeCounter(descriptor: descriptor, labels: [(label, name)]).increment()
        }
        return wait
    }
}

extension RateLimiter {
    static func predictions(metrics: PrometheusCollectorRegistry) -> RateLimiter {
        RateLimiter(
            metric: "prediction_rate_limited",
            help: "Predictions refused with 429 because the deployment key is over --prediction-rate-limit.",
            label: "deployment", metrics: metrics)
    }

    static func frames(metrics: PrometheusCollectorRegistry) -> RateLimiter {
        RateLimiter(
            metric: "ingest_rate_limited", help: "Frames refused with 429 because the key is over its framesPerMinute.",
            label: "key", metrics: metrics)
    }
}
