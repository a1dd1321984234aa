// Serves the generated API handlers on Vapor's router, keeping a request on as few threads as
// possible (the prediction API answers thousands of small requests a second):
// - a body that arrived whole (Vapor collects a small body sent in one piece) is handed over
//   as bytes, not as an async stream fed from the event loop; larger bodies still stream;
// - a response of known length up to `bufferedResponseLimit` is sent as one buffer, not by a
//   writer task that hops to the event loop for every chunk; event streams and large
//   downloads still stream;
// - the caller's credentials, address and logger reach the handlers through `CurrentRequest`;
//   the Vapor request itself does not (handlers get their dependencies from `APIDependencies`).
import HTTPTypes
import MinnowCore
import OpenAPIRuntime
import Vapor

struct APITransport: ServerTransport {
    typealias Handler =
        @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)

    let routes: any RoutesBuilder
    static let bufferedResponseLimit = 1 << 20

    func register(_ handler: @escaping Handler, method: HTTPRequest.Method, path: String) throws {
        let components = Self.pathComponents(path)
        let parameters = components.compactMap { component -> String? in
            if case .parameter(let name) = component { return name } else { return nil }
        }
        routes.on(HTTPMethod(rawValue: method.rawValue), components, body: .stream) {
            request async throws -> Response in
            var pathParameters: [String: Substring] = [:]
            for name in parameters {
                guard let value = request.parameters.get(name) else { throw Abort(.notFound) }
                pathParameters[name] = Substring(value)
            }
            let (head, body) = try await CurrentRequest.$credentials.withValue(Credentials(request)) {
                try await CurrentRequest.$peerAddress.withValue(request.remoteAddress) {
                    try await CurrentRequest.$logger.withValue(request.logger) {
                        try await handler(
                            Self.httpRequest(request), Self.body(of: request),
                            ServerRequestMetadata(pathParameters: pathParameters))
                    }
                }
            }
            return try await Self.response(head, body: body)
        }
    }

    /// `/v1/projects/{projectId}` → `v1`, `projects`, `:projectId`.
    static func pathComponents(_ path: String) -> [PathComponent] {
        path.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}")
                ? .parameter(String(part.dropFirst().dropLast())) : .constant(String(part))
        }
    }

    static func httpRequest(_ request: Request) throws -> HTTPRequest {
        guard let method = HTTPRequest.Method(request.method.rawValue) else { throw Abort(.methodNotAllowed) }
        var fields = HTTPFields()
        fields.reserveCapacity(request.headers.count)
        for (name, value) in request.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        let query = request.url.query.map { "?" + $0 } ?? ""
        return HTTPRequest(
            method: method, scheme: nil, authority: request.headers.first(name: .host), path: request.url.path + query,
            headerFields: fields)
    }

    /// nil when the request has no body at all (no Content-Length or a zero one, and not
    /// chunked), so an optional body (`POST .../iterations`) is absent rather than empty JSON.
    static func body(of request: Request) -> HTTPBody? {
        let declared = request.headers.first(name: .contentLength).flatMap(Int64.init)
        if declared == 0 || (declared == nil && !request.headers.contains(name: .transferEncoding)) { return nil }
        if let whole = request.body.data { return HTTPBody(whole.readableBytesView) }
        let length =
            request.headers.first(name: .contentLength).flatMap(Int64.init).map(HTTPBody.Length.known) ?? .unknown
        return HTTPBody(
            request.body.map { ArraySlice($0.readableBytesView) }, length: length, iterationBehavior: .single)
    }

    static func response(_ head: HTTPResponse, body: HTTPBody?) async throws -> Response {
        var headers = HTTPHeaders()
        headers.reserveCapacity(head.headerFields.count)
        for field in head.headerFields { headers.add(name: field.name.rawName, value: field.value) }
        let status = HTTPResponseStatus(statusCode: head.status.code, reasonPhrase: head.status.reasonPhrase)
        guard let body else { return Response(status: status, headers: headers) }
        if case .known(let length) = body.length, length <= bufferedResponseLimit {
            let bytes = try await ArraySlice(collecting: body, upTo: bufferedResponseLimit)
            return Response(status: status, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
        }
        let stream: @Sendable (any AsyncBodyStreamWriter) async throws -> Void = { writer in
            do {
                for try await chunk in body { try await writer.write(.buffer(ByteBuffer(bytes: chunk))) }
                try await writer.write(.end)
            } catch {
                try await writer.write(.error(error))
            }
        }
        if case .known(let length) = body.length {
            return Response(
                status: status, headers: headers, body: .init(asyncStream: stream, count: Int(clamping: length)))
        }
        return Response(status: status, headers: headers, body: .init(asyncStream: stream))
    }
}
