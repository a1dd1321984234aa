// Request body limits for the generated API routes. swift-openapi-vapor streams bodies and
// bypasses Vapor's own limit, so this middleware enforces ours: a declared Content-Length
// over the limit is refused before reading, and a streamed body fails with 413 as soon as
// it grows past the limit. Nothing is buffered here; operations that take large bodies
// (uploads, zip imports) get their own limit.
import Foundation
import HTTPTypes
import MinnowCore
import OpenAPIRuntime
import Synchronization

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
        let counter = ByteCounter()
        let limited = body.map { chunk in
            guard counter.add(chunk.count) <= limit else { throw APIError.payloadTooLarge(limit: limit) }
            return chunk
        }
        return try await next(request, HTTPBody(limited, length: body.length, iterationBehavior: .single), metadata)
    }
}

private final class ByteCounter: Sendable {
    private let total = Atomic<Int>(0)

    /// Adds `count` and returns the new total.
    func add(_ count: Int) -> Int {
        total.add(count, ordering: .relaxed).newValue
    }
}
