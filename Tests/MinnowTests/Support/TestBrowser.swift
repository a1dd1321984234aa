// A minimal browser for page tests: keeps cookies, sends forms as a browser does (with an
// Origin header), and reads the CSRF token out of the last page.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

final class TestBrowser: @unchecked Sendable {  // used by one test at a time
    let server: TestServer
    var cookies: [String: String] = [:]
    private(set) var lastPage = ""

    init(_ server: TestServer) { self.server = server }

    /// Like a browser's network layer seen from the page: redirects are answers, not followed.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    private func send(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)]
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response = try await Self.client.execute(request, timeout: TestServer.requestTimeout)
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
    }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    @discardableResult
    func get(_ path: String) async throws -> TestResponse {
        let response = try await send(.GET, path, headers: cookies.isEmpty ? [] : [("Cookie", cookieHeader)])
        keep(response)
        return response
    }

    /// Posts a form; `csrf: true` adds the token of the last page, `origin` overrides the Origin header.
    @discardableResult
    func post(
        _ path: String, _ fields: [(String, String)], csrf: Bool = true, origin: String? = nil
    ) async throws -> TestResponse {
        var all = fields
        if csrf { all.append(("csrf", try csrfToken())) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", origin ?? server.baseURL)]
        if !cookies.isEmpty { headers.append(("Cookie", cookieHeader)) }
        let response = try await send(.POST, path, body: Data(body.utf8), headers: headers)
        keep(response)
        return response
    }

    func csrfToken() throws -> String {
        let marker = "name=\"csrf\" value=\""
        let start = try #require(lastPage.range(of: marker), "no CSRF field on the last page")
        return String(lastPage[start.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs up through the pages (and so signs in).
    func signUp(_ username: String, password: String = "correct horse") async throws {
        try await get("/sign-up")
        let response = try await post("/sign-up", [("username", username), ("password", password)])
        try #require(response.status == 303, "sign up \(username): \(response.status) \(response.text)")
    }

    func signIn(_ username: String, password: String = "correct horse") async throws {
        try await get("/sign-in")
        let response = try await post("/sign-in", [("username", username), ("password", password)])
        try #require(response.status == 303, "sign in \(username): \(response.status)")
    }

    /// Creates a classification project through the pages; returns its id.
    func createProject(_ name: String) async throws -> String {
        try await get("/projects")
        let created = try await post("/projects", [("name", name), ("task", "classification")])
        return try #require(created.headers.first(name: "Location")?.split(separator: "/")[1]).description
    }

    private func keep(_ response: TestResponse) {
        for header in response.headers["Set-Cookie"] {
            let pair = header.split(separator: ";")[0].split(
                separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let (name, value) = (String(pair[0]).trimmingCharacters(in: .whitespaces), String(pair[1]))
            let expired = header.lowercased().contains("max-age=0")
            if value.isEmpty || expired { cookies[name] = nil } else { cookies[name] = value }
        }
        if response.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true { lastPage = response.text }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text)
    }
}
