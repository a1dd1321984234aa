// Routes for operators and tools, outside the versioned API: liveness, readiness,
// Prometheus metrics, and the contract itself.
import APITypes
import Fluent
import MinnowCore
import Prometheus
import SQLKit
import Vapor

enum OperationsRoutes {
    static func register(on app: Application, metrics: PrometheusCollectorRegistry, scheme: String = "http") {
        let health = #"{"scheme":"\#(scheme)","status":"ok"}"#
        app.get("healthz") { _ in
            Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: health))
        }
        app.get("readyz") { request async -> Response in
            do {
                guard let sql = request.db as? any SQLDatabase else { throw Abort(.internalServerError) }
                try await sql.raw("SELECT 1").run()
                return Response(
                    status: .ok, headers: ["Content-Type": "application/json"],
                    body: .init(string: #"{"status":"ready"}"#))
            } catch {
                request.logger.warning("readiness check failed: database unreachable")
                return ErrorMiddleware.response(
                    for: APIError(
                        status: .serviceUnavailable, code: "not_ready", message: "The database is unreachable."))
            }
        }
        app.get("metrics") { _ in
            Response(
                status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4"],
                body: .init(string: metrics.emitToString()))
        }
        app.get("openapi.yaml") { _ in
            Response(
                status: .ok, headers: ["Content-Type": "application/yaml"], body: .init(data: APIContract.document))
        }
    }
}
