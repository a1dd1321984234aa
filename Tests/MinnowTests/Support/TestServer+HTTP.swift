// Raw HTTP for tests: any method, headers and body (also malformed ones), and the reply.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    var text: String { String(decoding: body, as: UTF8.self) }
    subscript(key: String) -> Any? { json[key] }
}

extension TestServer {
    /// How long one request may take. Generous on purpose: CI runs the whole suite at once on two
    /// cores beside trainings and emulated boards, where a 30-second limit failed a test whose
    /// answers were right; the tests judge answers, the benchmarks judge latency.
    static let requestTimeout: TimeAmount = .seconds(120)

    func request(
        _ method: HTTPMethod, _ path: String, token: String? = nil,
        json: Any? = nil, body: Data? = nil, headers extra: [(String, String)] = []
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            request.body = .bytes(ByteBuffer(data: body))
        }
        for (name, value) in extra { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: Self.requestTimeout)
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
    }

    /// POSTs `body` with chunked transfer encoding (no Content-Length), through curl as a
    /// real client would; returns the status code.
    func postChunked(_ path: String, body: Data) async throws -> Int {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chunked-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await ExternalProcess.run(
            "/usr/bin/curl",
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
                "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(file.path)", baseURL + path,
            ])
        return Int(result.stdout) ?? 0
    }

    /// Registers `username` (password "correct horse") and signs in; returns the access token.
    func signUp(_ username: String, password: String = "correct horse") async throws -> String {
        let registered = try await request(
            .POST, "/v1/auth/register", json: ["username": username, "password": password])
        try #require(registered.status == 201, "register \(username): \(registered.status) \(registered.text)")
        return try await signIn(username, password: password)
    }

    func signIn(_ username: String, password: String = "correct horse") async throws -> String {
        let login = try await request(.POST, "/v1/auth/login", json: ["username": username, "password": password])
        try #require(login.status == 200, "login \(username): \(login.status) \(login.text)")
        return try #require(login["accessToken"] as? String)
    }

    func createProject(_ name: String, token: String, task: String = "classification") async throws -> String {
        let created = try await request(.POST, "/v1/projects", token: token, json: ["name": name, "task": task])
        try #require(created.status == 201, "create project: \(created.status) \(created.text)")
        return try #require(created["id"] as? String)
    }
}
