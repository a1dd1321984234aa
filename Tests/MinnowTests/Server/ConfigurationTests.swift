import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Server configuration")
struct ConfigurationTests {
    @Test func flagsBeatEnvironmentBeatFileBeatDefaults() throws {
        // setup
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"port": 7000, "host": "0.0.0.0", "workers": 3, "log-level": "debug"}"#.utf8)
            .write(to: directory.appendingPathComponent("minnow.json"))
        // act
        let config = try ConfigurationResolver(
            flags: ["data-dir": directory.path, "port": "9000"],
            environment: ["MINNOW_PORT": "8000", "MINNOW_HOST": "10.1.2.3", "DATABASE_URL": "postgres://u:p@db/minnow"]
        ).resolve()
        // check
        #expect(config.port == 9000)  // flag over environment and file
        #expect(config.host == "10.1.2.3")  // environment over file
        #expect(config.workers == 3)  // file over default
        #expect(config.logLevel == .debug)
        #expect(config.bcryptCost == 12)  // default
        #expect(config.databaseURL == "postgres://u:p@db/minnow")
        #expect(config.resolvedSecretFile == directory.appendingPathComponent("secret.key").path)
    }

    @Test func badValuesNameTheirSource() throws {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationResolver(flags: ["port": "eighty"], environment: [:]).resolve()
        }
        do {
            _ = try ConfigurationResolver(flags: [:], environment: ["MINNOW_WORKERS": "-1"]).resolve()
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("MINNOW_WORKERS"))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        try Data(#"{"prot": 1}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try ConfigurationResolver(flags: [:], environment: [:], configFile: file.path).resolve()
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("unknown key \"prot\""))
        }
    }

    @Test func signingSecretIsGeneratedOnceWithOwnerOnlyPermissions() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "secret-\(UUID().uuidString)/secret.key"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try SigningSecret.loadOrCreate(at: path)
        let second = try SigningSecret.loadOrCreate(at: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(first == second && first.count == 64)
        #expect(mode == 0o600)
    }
}

@Suite("Access tokens")
struct AccessTokenTests {
    let tokens = AccessTokens(secret: Data(repeating: 7, count: 32), lifetime: 60)

    @Test func roundTripAndRejections() throws {
        let user = UUID()
        let (token, claims) = try tokens.issue(userID: user, generation: 2)
        #expect(tokens.verify(token) == claims)
        #expect(claims.sub == user && claims.gen == 2 && claims.exp - claims.iat == 60)
        // expired
        #expect(tokens.verify(token, now: Date().addingTimeInterval(61)) == nil)
        // signed with another secret
        let other = AccessTokens(secret: Data(repeating: 8, count: 32), lifetime: 60)
        #expect(other.verify(token) == nil)
        // "alg": "none" with the signature stripped
        let parts = token.split(separator: ".")
        let none = AccessTokens.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
        #expect(tokens.verify(none) == nil)
        // payload swapped under the old signature
        let forgedClaims = AccessTokenClaims(sub: UUID(), jti: claims.jti, iat: claims.iat, exp: claims.exp, gen: 2)
        let forged = parts[0] + "." + AccessTokens.base64URL(try JSONEncoder().encode(forgedClaims)) + "." + parts[2]
        #expect(tokens.verify(forged) == nil)
    }

    @Test func tokensSurviveARestartWithTheSameDataDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = try await TestServer.with(.sqlite, configure: { $0.dataDirectory = directory.path }) { server in
            try await server.signUp("ada")
        }
        let status = try await TestServer.with(.sqlite, configure: { $0.dataDirectory = directory.path }) { server in
            try await server.request(.GET, "/v1/auth/me", token: token).status
        }
        #expect(status == 200)
    }
}
