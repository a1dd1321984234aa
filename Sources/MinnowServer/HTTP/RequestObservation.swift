// One structured log line and Prometheus metrics per request. Routes are labelled by their
// pattern (`/v1/projects/:projectId`), never by raw path, so metrics stay bounded; headers,
// query strings and bodies are never logged, so neither are secrets.
import MinnowCore
import Prometheus
import Vapor

struct RequestObservationMiddleware: Middleware {
    let metrics: PrometheusCollectorRegistry

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let start = ContinuousClock.now
        return next.respond(to: request).map { response in
            observe(request, response, elapsed: ContinuousClock.now - start)
            return response
        }
    }

    private func observe(_ request: Request, _ response: Response, elapsed: Duration) {
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        let labels = [("method", request.method.rawValue), ("route", route), ("status", String(response.status.code))]
        metrics.makeCounter(descriptor: Self.requests, labels: labels).increment()
        metrics.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route)], buckets: Self.buckets)
            .record(elapsed)
        let millis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        request.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "route": .string(route),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.1f", millis)),
                "client": .string(request.remoteAddress?.ipAddress ?? "-"),
            ])
    }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "minnow", metricName: "http_requests", unitName: "total",
            helpText: "HTTP requests by method, route and status.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "minnow", metricName: "http_request_duration", unitName: "seconds",
            helpText: "HTTP request latency by route.")
    }
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
}
