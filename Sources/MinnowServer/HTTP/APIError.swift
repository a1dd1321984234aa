// The one error shape every response uses: {"error": {"code", "message", "details"}}.
// Handlers return the typed error responses the contract declares for expected outcomes;
// `APIError` is thrown by cross-cutting checks (authentication, limits) and rendered by
// `ErrorMiddleware`.
import APITypes
import Foundation
import HTTPTypes
import MinnowCore
import OpenAPIRuntime

struct APIError: Error, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var headers: HTTPFields = [:]

    static func unauthorized(
        _ message: String = "Sign in first: send Authorization: Bearer <access token or API key>."
    ) -> Self {
        Self(status: .unauthorized, code: "unauthorized", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }

    static func forbidden(_ message: String) -> Self {
        Self(status: .forbidden, code: "forbidden", message: message)
    }

    static func notFound(_ what: String) -> Self {
        Self(status: .notFound, code: "not_found", message: "\(what) not found.")
    }

    static func tooManyRequests(retryAfter seconds: Int, _ message: String) -> Self {
        Self(
            status: .tooManyRequests, code: "rate_limited", message: message,
            headers: [HTTPField.Name("Retry-After")!: String(seconds)])
    }

    static func quotaExceeded(retryAfter seconds: Int, _ message: String) -> Self {
        Self(
            status: .tooManyRequests, code: "quota_exceeded", message: message,
            headers: [HTTPField.Name("Retry-After")!: String(seconds)])
    }

    static func payloadTooLarge(limit: Int) -> Self {
        Self(
            status: .contentTooLarge, code: "payload_too_large",
            message: "The request body is larger than the limit of \(limit) bytes.")
    }

    var body: Components.Schemas.ErrorResponse { .make(code: code, message: message) }
}

extension Components.Schemas.ErrorResponse {
    static func make(code: String, message: String, details: OpenAPIValueContainer? = nil) -> Self {
        Self(error: .init(code: code, message: message, details: details))
    }

    static func notFound(_ what: String) -> Self { APIError.notFound(what).body }

    static func invalid(_ message: String) -> Self { make(code: "validation_failed", message: message) }

    static func conflict(_ message: String) -> Self { make(code: "conflict", message: message) }

    static func badRequest(_ message: String) -> Self { make(code: "bad_request", message: message) }
}
