// Request body limits for the generated API routes. swift-openapi-vapor streams bodies and
// bypasses Vapor's own limit, so this middleware enforces ours: a declared Content-Length
// over the limit is refused before reading, and a chunked body is cut off (413) as soon as
// it grows past the limit. Operations that stream large bodies get their own limit here.
import Foundation
import HTTPTypes
import OpenAPIRuntime

struct BodyLimitMiddleware: ServerMiddleware {
    let defaultLimit: Int
    /// Per-operation limits, by operationId, for operations that accept large bodies.
    var limits: [String: Int] = [:]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let limit = limits[operationID] ?? defaultLimit
        guard let body else { return try await next(request, nil, metadata) }
        if case .known(let length) = body.length, length > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        var collected: [UInt8] = []
        for try await chunk in body {
            guard collected.count + chunk.count <= limit else { throw APIError.payloadTooLarge(limit: limit) }
            collected.append(contentsOf: chunk)
        }
        return try await next(request, HTTPBody(collected), metadata)
    }
}
