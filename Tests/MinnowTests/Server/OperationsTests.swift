import Foundation
import Testing
@testable import APITypes

@Suite("Health, readiness, metrics and the contract")
struct OperationsTests {
    @Test(arguments: TestDatabase.all)
    func probesMetricsAndContract(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            _ = try await server.request(.GET, "/v1/projects")  // one 401 to count
            let health = try await server.request(.GET, "/healthz")
            let ready = try await server.request(.GET, "/readyz")
            let metrics = try await server.request(.GET, "/metrics")
            let contract = try await server.request(.GET, "/openapi.yaml")
            #expect(health.status == 200 && ready.status == 200)
            #expect(
                metrics.text.contains(#"minnow_http_requests_total{method="GET",route="/v1/projects",status="401"} 1"#),
                "\(metrics.text)")
            #expect(metrics.text.contains("minnow_http_request_duration_seconds_bucket"))
            #expect(contract.status == 200 && contract.body == APIContract.document)
            #expect(contract.text.contains("/v1/auth/login"))
            let unknown = try await server.request(.GET, "/v1/nothing-here")
            #expect(unknown.status == 404 && unknown.errorCode == "not_found")
        }
    }
}
