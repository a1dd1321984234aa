import Foundation
@testable import MinnowCore
import MinnowServer
@testable import MinnowWorker
import Testing

/// `minnow serve --tls-cert/--tls-key` as an operator runs it, checked with real curl against a
/// self-signed certificate the test makes with openssl: HTTPS only on the port, HSTS on every
/// response, Secure cookies; bad files stop the server with one clear line. Without TLS nothing
/// changes (no HSTS, no Secure), so plain http on 127.0.0.1 keeps working.
@Suite("HTTPS with --tls-cert and --tls-key")
struct HTTPSTests {
    @Test func servesHTTPSOnlyWithHSTSAndSecureCookies() async throws {
        let scratch = try Scratch()
        let (cert, key) = try await scratch.certificate("a")
        let port = Int.random(in: 20_000...40_000)
        let server = try BackgroundMinnow([
            "serve", "--data-dir", scratch.path("data"), "--port", "\(port)", "--bcrypt-cost", "4", "--workers", "0",
            "--tls-cert", cert, "--tls-key", key,
        ])
        let base = "https://127.0.0.1:\(port)"
        try #require(await Curl.waitUntilReady(base + "/readyz", caCert: cert, process: server), "\(server.log)")

        let health = try await Curl.fetch(base + "/healthz", caCert: cert)
        #expect(health.status == 200, "\(health.raw)")
        #expect(health.header("Strict-Transport-Security") == ["max-age=31536000"], "\(health.raw)")
        #expect(health.body.contains(#""scheme":"https""#), "\(health.body)")
        let notFound = try await Curl.fetch(base + "/v1/nothing-here", caCert: cert)
        #expect(
            notFound.status == 404 && notFound.header("Strict-Transport-Security") == ["max-age=31536000"],
            "\(notFound.raw)")

        // The signed-out form's CSRF cookie and the session cookie set by signing up through the web form.
        let form = try await Curl.fetch(base + "/sign-up", caCert: cert)
        let csrf = try #require(form.cookie("minnow_csrf"), "\(form.raw)")
        #expect(csrf.attributes.contains("secure"), "\(csrf)")
        let signUp = try await Curl.fetch(
            base + "/sign-up", caCert: cert,
            extra: [
                "-b", "minnow_csrf=\(csrf.value)", "--data-urlencode", "csrf=\(csrf.value)",
                "--data-urlencode", "username=ada", "--data-urlencode", "password=correct horse",
            ])
        #expect(signUp.status == 303, "\(signUp.raw)")
        let session = try #require(signUp.cookie("minnow_session"), "\(signUp.raw)")
        #expect(session.attributes.contains("secure") && session.attributes.contains("httponly"), "\(session)")
        #expect(signUp.header("Strict-Transport-Security") == ["max-age=31536000"])
        let projects = try await Curl.fetch(
            base + "/projects", caCert: cert, extra: ["-b", "minnow_session=\(session.value)"])
        #expect(projects.status == 200, "\(projects.raw)")

        // Plain HTTP on the same port gets no answer; an unknown certificate authority is refused too.
        let plain = try await ExternalProcess.run(
            "/usr/bin/curl",
            ["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])
        #expect(plain.status != 0 && plain.stdout == "000", "\(plain)")
        let untrusted = try await ExternalProcess.run(
            "/usr/bin/curl", ["-sS", "--max-time", "10", "-o", "/dev/null", base + "/healthz"])
        #expect(untrusted.status != 0, "\(untrusted)")

        server.signal(SIGTERM)
        #expect(await server.waitForExit() == 0)
        let log = server.log
        #expect(log.contains("address=\(base)") && log.contains("scheme=https"), "\(log)")
        #expect(!log.contains("PRIVATE KEY"))
    }

    @Test func badTLSFilesStopServeWithOneClearLine() async throws {
        let scratch = try Scratch()
        let (certA, keyA) = try await scratch.certificate("a")
        let (_, keyB) = try await scratch.certificate("b")
        let garbage = scratch.path("garbage.pem")
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let missing = scratch.path("missing.pem")
        let keyLines = try [keyA, keyB].flatMap {
            try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n").dropFirst().prefix(3)
        }

        let cases: [(flags: [String], environment: [String: String], expected: String)] = [
            (
                ["--tls-cert", certA, "--tls-key", keyB], [:],
                "TLS key file \(keyB) does not match the certificate in \(certA)."
            ),
            (
                [], ["MINNOW_TLS_CERT": certA, "MINNOW_TLS_KEY": keyB],
                "TLS key file \(keyB) does not match the certificate in \(certA)."
            ),
            (["--tls-cert", certA, "--tls-key", missing], [:], "TLS key file \(missing) does not exist."),
            (["--tls-cert", missing, "--tls-key", keyA], [:], "TLS certificate file \(missing) does not exist."),
            (
                ["--tls-cert", garbage, "--tls-key", keyA], [:],
                "TLS certificate file \(garbage) holds no PEM certificate"
            ),
            (
                ["--tls-cert", certA, "--tls-key", garbage], [:],
                "TLS key file \(garbage) holds no unencrypted PEM private key"
            ),
            (["--tls-cert", certA], [:], "--tls-cert is set but no TLS key is"),
            ([], ["MINNOW_TLS_KEY": keyA], "MINNOW_TLS_KEY is set but no TLS certificate is"),
        ]
        for (index, (flags, environment, expected)) in cases.enumerated() {
            let port = Int.random(in: 20_000...40_000)
            let process = try BackgroundMinnow(
                ["serve", "--data-dir", scratch.path("data\(index)"), "--port", "\(port)", "--workers", "0"] + flags,
                environment: environment
            )
            let status = await process.waitForExit(timeout: 60)
            let log = process.log
            #expect(status != nil && status != 0, "\(flags) \(environment): \(log)")
            let errorLines = log.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(
                errorLines.count == 1 && errorLines.first?.contains(expected) == true, "\(flags) \(environment): \(log)"
            )
            #expect(!log.contains("PRIVATE KEY") && !keyLines.contains { log.contains($0) }, "\(log)")
        }
    }

    @Test func configFileKeysTurnTLSOn() async throws {
        let help = try await MinnowProcess.run(["serve", "--help"], environment: [:])
        for word in ["--tls-cert", "--tls-key", "MINNOW_TLS_CERT", "MINNOW_TLS_KEY"] {
            #expect(help.stdout.contains(word), "serve --help mentions \(word)")
        }
        let scratch = try Scratch()
        let file = scratch.path("minnow.json")
        try Data(#"{"tls-cert": "/etc/minnow/cert.pem", "tls-key": "/etc/minnow/key.pem"}"#.utf8).write(
            to: URL(fileURLWithPath: file))
        let config = try ConfigurationResolver(flags: [:], environment: [:], configFile: file).resolve()
        #expect(config.tlsCertificateFile == "/etc/minnow/cert.pem" && config.tlsKeyFile == "/etc/minnow/key.pem")
        #expect(config.usesTLS && config.scheme == "https")
        let flagWins = try ConfigurationResolver(
            flags: ["tls-key": "/other.pem"], environment: ["MINNOW_TLS_CERT": "/env.pem"], configFile: file
        ).resolve()
        #expect(flagWins.tlsCertificateFile == "/env.pem" && flagWins.tlsKeyFile == "/other.pem")
        let none = try ConfigurationResolver(flags: ["data-dir": scratch.path("empty")], environment: [:]).resolve()
        #expect(!none.usesTLS && none.scheme == "http")
        #expect(throws: ConfigurationError.self) {
            try ConfigurationResolver(flags: ["tls-cert": "/a.pem"], environment: [:], configFile: nil).resolve()
        }
    }

    @Test func withoutTLSThereIsNoHSTSAndNoSecureCookie() async throws {
        try await TestServer.with(.sqlite) { server in
            let health = try await Curl.fetch(server.baseURL + "/healthz")
            #expect(health.status == 200 && health.header("Strict-Transport-Security").isEmpty, "\(health.raw)")
            #expect(health.body.contains(#""scheme":"http""#), "\(health.body)")
            let form = try await Curl.fetch(server.baseURL + "/sign-up")
            let csrf = try #require(form.cookie("minnow_csrf"), "\(form.raw)")
            #expect(!csrf.attributes.contains("secure"), "\(csrf)")
            let signUp = try await Curl.fetch(
                server.baseURL + "/sign-up",
                extra: [
                    "-b", "minnow_csrf=\(csrf.value)", "--data-urlencode", "csrf=\(csrf.value)",
                    "--data-urlencode", "username=ada", "--data-urlencode", "password=correct horse",
                ])
            #expect(signUp.status == 303, "\(signUp.raw)")
            let session = try #require(signUp.cookie("minnow_session"), "\(signUp.raw)")
            #expect(!session.attributes.contains("secure") && session.attributes.contains("httponly"), "\(session)")
            #expect(signUp.header("Strict-Transport-Security").isEmpty)
        }
    }
}

/// A temporary directory removed when the test ends, with openssl-made certificates in it.
private final class Scratch {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-https-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A self-signed certificate for 127.0.0.1 and its unencrypted key: (certificate, key) paths.
    func certificate(_ name: String) async throws -> (String, String) {
        let cert = path("\(name)-cert.pem"), key = path("\(name)-key.pem")
        let made = try await ExternalProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2", "-keyout", key, "-out", cert,
            ])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return (cert, key)
    }
}

/// One response as curl saw it (`-i`): status, headers (names case-insensitive, as HTTP/2 lowercases them) and body.
private struct CurlResponse: CustomStringConvertible {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: String
    let raw: String

    func header(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The `Set-Cookie` for `name`: its value and its attributes, lowercased (e.g. "secure", "httponly").
    func cookie(_ name: String) -> (value: String, attributes: [String])? {
        for line in header("Set-Cookie") {
            let parts = line.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = parts.first, first.hasPrefix(name + "=") else { continue }
            return (String(first.dropFirst(name.count + 1)), parts.dropFirst().map { $0.lowercased() })
        }
        return nil
    }

    var description: String { raw }
}

private enum Curl {
    static func fetch(_ url: String, caCert: String? = nil, extra: [String] = []) async throws -> CurlResponse {
        var arguments = ["-sS", "-i", "--max-time", "20"]
        if let caCert { arguments += ["--cacert", caCert] }
        let result = try await ExternalProcess.run("/usr/bin/curl", arguments + extra + [url])
        try #require(result.status == 0, "curl \(url): \(result.stderr)")
        let raw = result.stdout
        let (head, body) =
            raw.range(of: "\r\n\r\n").map { (String(raw[..<$0.lowerBound]), String(raw[$0.upperBound...])) } ?? (
                raw, ""
            )
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return CurlResponse(status: status, headers: headers, body: body, raw: raw)
    }

    /// Polls `url` over HTTPS until it answers 200, the process exits, or 30 seconds pass.
    static func waitUntilReady(_ url: String, caCert: String, process: BackgroundMinnow) async -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.process.isRunning {
            let result = try? await ExternalProcess.run(
                "/usr/bin/curl",
                ["-s", "--max-time", "2", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", caCert, url])
            if result?.stdout == "200" { return true }
            try? await Task.sleep(for: .milliseconds(150))
        }
        return false
    }
}
