// Options every client command takes, and the generated API client they build.
import APITypes
import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (default: $MINNOW_SERVER, else the server you signed in to, else http://127.0.0.1:8080).")
    var server: String?

    @Flag(help: "Print JSON instead of tables, for scripts.")
    var json = false

    var serverURL: String {
        let environment = ProcessInfo.processInfo.environment
        let url =
            server ?? environment["MINNOW_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? CredentialsStore.load()?.server ?? "http://127.0.0.1:8080"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The bearer token: $MINNOW_TOKEN (an API key or access token) or the stored sign-in for this server.
    var token: String? {
        if let token = ProcessInfo.processInfo.environment["MINNOW_TOKEN"], !token.isEmpty { return token }
        guard let stored = CredentialsStore.load(), stored.server == serverURL else { return nil }
        return stored.accessToken
    }

    func client(authenticated: Bool = true) throws -> Client {
        guard let url = URL(string: serverURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw CLIFailure("\"\(serverURL)\" is not a server URL; use e.g. --server http://127.0.0.1:8080.")
        }
        var middlewares: [any ClientMiddleware] = [ErrorResponseMiddleware(server: serverURL)]
        if authenticated {
            guard let token else { throw CLIFailure("Not signed in to \(serverURL); run `minnow login` first.") }
            middlewares.append(BearerMiddleware(token: token))
        }
        let transport = AsyncHTTPClientTransport(configuration: .init(client: Self.httpClient, timeout: .minutes(30)))
        return Client(serverURL: url, configuration: .minnow, transport: transport, middlewares: middlewares)
    }

    /// A signed-in client and the id of `project` (an id, or the name of one of your projects).
    func client(forProject project: String) async throws -> (Client, String) {
        let client = try client()
        return (client, try await ProjectReference.resolve(project, with: client))
    }

    /// One HTTP client for the process: a refused connection fails at once instead of being
    /// retried until the request times out, and an unresponsive host fails after 10 seconds.
    private static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

}

/// Adds `Authorization: Bearer <token>` to every request.
struct BearerMiddleware: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}

/// Turns any error response into a `CLIFailure` carrying the server's own message, and a
/// connection failure into a message naming the server.
struct ErrorResponseMiddleware: ClientMiddleware {
    let server: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody): (HTTPResponse, HTTPBody?)
        do {
            (response, responseBody) = try await next(request, body, baseURL)
        } catch {
            var cause: any Error = error
            while let wrapped = cause as? ClientError { cause = wrapped.underlyingError }
            let reason = "\(cause)".contains("Connection refused") ? "connection refused" : "\(cause)"
            throw CLIFailure("Cannot reach the server at \(server) (\(reason)). Is `minnow serve` running there?")
        }
        guard response.status.code >= 400 else { return (response, responseBody) }
        var data = Data()
        if let responseBody { data = try await Data(collecting: responseBody, upTo: 1 << 20) }
        let message =
            (try? JSONDecoder().decode(Components.Schemas.ErrorResponse.self, from: data))?.error.message
            ?? "The server answered \(response.status.code) \(response.status.reasonPhrase)."
        if response.status == .unauthorized, operationID != "login" {
            throw CLIFailure("\(message) Run `minnow login` to sign in again.", status: 401)
        }
        throw CLIFailure(
            message, status: Int(response.status.code),
            retryAfter: response.headerFields[.retryAfter].flatMap(TimeInterval.init))
    }
}
