// Renders every error as the one JSON error shape with the right status code. Client
// mistakes caught by the generated code (bad JSON, wrong media type, missing fields) are
// 4xx with a readable message; anything unexpected is a logged 500 that reveals nothing.
import Foundation
import HTTPTypes
import MinnowCore
import OpenAPIRuntime
import Vapor

struct ErrorMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in
            let apiError = Self.apiError(for: error)
            if apiError.status.code >= 500 {
                request.logger.error("request failed", metadata: ["error": .string(Self.safeDescription(of: error))])
            }
            return Self.response(for: apiError)
        }
    }

    static func response(for error: APIError) -> Response {
        var headers = HTTPHeaders(error.headers.map { ($0.name.rawName, $0.value) })
        headers.contentType = .json
        let body = (try? JSONEncoder().encode(error.body)) ?? Data()
        return Response(status: .init(statusCode: error.status.code), headers: headers, body: .init(data: body))
    }

    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ServerError:
            if let inner = findAPIError(in: error) { return inner }
            return clientError(error)
        case let error as any AbortError:
            let code = error.status.code
            if code >= 500 { return internalError }
            let apiCode =
                code == 404
                ? "not_found"
                : code == 413 ? "payload_too_large" : code == 415 ? "unsupported_media_type" : "bad_request"
            return APIError(status: .init(code: Int(code)), code: apiCode, message: error.reason)
        default:
            return internalError
        }
    }

    /// An `APIError` wrapped anywhere inside runtime errors (a body limit hit while the
    /// generated code parsed a multipart body arrives several layers deep).
    private static func findAPIError(in error: any Error, depth: Int = 0) -> APIError? {
        if let api = error as? APIError { return api }
        guard depth < 8 else { return nil }
        for child in Mirror(reflecting: error).children {
            if let inner = child.value as? any Error, let found = findAPIError(in: inner, depth: depth + 1) {
                return found
            }
        }
        return nil
    }

    private static let internalError = APIError(
        status: .internalServerError, code: "internal_error",
        message: "Something went wrong on the server; it has been logged. Try again, and report it if it persists.")

    /// A client mistake found while the generated code parsed the request (before the
    /// handler, or lazily inside it for streamed multipart bodies), else a 500.
    private static func clientError(_ error: ServerError) -> APIError {
        let root = innermost(error)
        if let abort = root as? any AbortError {
            return abort.status.code < 500 ? apiError(for: abort) : internalError
        }
        if let decoding = root as? DecodingError, !error.causeDescription.contains("handler threw") {
            return APIError(status: .badRequest, code: "bad_request", message: describe(decoding))
        }
        if isMalformedMultipart(root) {
            return APIError(
                status: .badRequest, code: "bad_request", message: "The multipart body is malformed: \(root)")
        }
        // The runtime's own errors describe the client's mistake in plain words.
        guard let convertible = root as? any HTTPResponseConvertible, convertible.httpStatus.code < 500 else {
            return internalError
        }
        let status = convertible.httpStatus
        let code = status == .unsupportedMediaType ? "unsupported_media_type" : "bad_request"
        return APIError(status: status, code: code, message: String(describing: root))
    }

    /// The runtime's multipart parser and validator errors (a body that is not valid
    /// multipart, or parts the contract does not allow), met while the handler reads the
    /// parts. The runtime keeps these types internal, so they are known by name.
    private static func isMalformedMultipart(_ error: any Error) -> Bool {
        let name = String(reflecting: type(of: error))
        return name.hasPrefix("OpenAPIRuntime.")
            && (name.hasSuffix(".ParserError") || name.hasSuffix(".ValidatorError"))
    }

    private static func innermost(_ error: any Error) -> any Error {
        var root = error
        while let server = root as? ServerError { root = server.underlyingError }
        return root
    }

    /// For logs: the operation and the innermost error, never the request (its headers hold tokens).
    static func safeDescription(of error: any Error) -> String {
        guard let server = error as? ServerError else { return String(describing: type(of: error)) + ": \(error)" }
        let root = innermost(server)
        return "\(server.operationID): \(server.causeDescription) \(type(of: root)): \(root)"
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : "\"\(keys.joined(separator: "."))\""
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "Missing required field \"\(key.stringValue)\"\(parent)."
        case .typeMismatch(let type, let context):
            return "Wrong type for \(path(context)): expected \(type)."
        case .valueNotFound(_, let context):
            return "Missing value for \(path(context))."
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "The body is not valid JSON." : "Invalid value for \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "The request body could not be read."
        }
    }
}
