import Foundation
import Testing

/// The real `minnow` binary against a real server, as a person at a terminal or a script would use it.
@Suite("Command-line client")
struct CLITests {
    @Test func helpDocumentsEveryServerSetting() async throws {
        let top = try await MinnowProcess.run(["--help"], environment: [:])
        let serve = try await MinnowProcess.run(["serve", "--help"], environment: [:])
        #expect(top.status == 0)
        for command in [
            "serve", "login", "logout", "whoami", "keys", "projects", "register", "devices", "bridges", "bridge",
            "emulator",
        ] {
            #expect(top.stdout.contains(command), "--help lists \(command)")
        }
        #expect(serve.status == 0)
        for flag in [
            "--host", "--port", "--data-dir", "--workers", "--database-url", "--config", "DATABASE_URL", "MINNOW_PORT",
            "--install-lease",
        ] {
            #expect(serve.stdout.contains(flag), "serve --help mentions \(flag)")
        }
    }

    @Test func accountProjectsAndKeysWorkflow() async throws {
        try await TestServer.with(.sqlite) { server in
            let config = FileManager.default.temporaryDirectory.appendingPathComponent(
                "minnow-cfg-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: config) }
            let env = ["MINNOW_CONFIG_DIR": config.path, "MINNOW_SERVER": server.baseURL]
            func minnow(
                _ args: String..., stdin: String? = nil, extra: [String: String] = [:]
            ) async throws -> CommandResult {
                try await MinnowProcess.run(args, stdin: stdin, environment: env.merging(extra) { $1 })
            }

            // register signs in and stores the token owner-only
            let registered = try await minnow(
                "register", "--username", "ada", "--password-stdin", stdin: "correct horse\n")
            #expect(registered.status == 0, "\(registered.stderr)")
            let credentials = config.appendingPathComponent("credentials.json")
            let mode = try FileManager.default.attributesOfItem(atPath: credentials.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let whoami = try await minnow("whoami", "--json")
            #expect(whoami.status == 0 && whoami.stdout.contains(#""username" : "ada""#))

            // projects, by name
            let created = try await minnow(
                "projects", "create", "Birds", "--task", "detection", "--input", "64x48", "--color", "rgb", "--json")
            #expect(created.status == 0 && created.stdout.contains(#""width" : 64"#), "\(created.stderr)")
            let table = try await minnow("projects", "list")
            #expect(
                table.stdout.contains("Birds") && table.stdout.contains("64x48 rgb") && table.stdout.hasPrefix("ID"))
            let updated = try await minnow("projects", "update", "Birds", "--name", "Feeder")
            #expect(updated.status == 0 && updated.stdout.contains("Feeder"))

            // an API key works as MINNOW_TOKEN within its scope only
            let key = try await minnow(
                "keys", "create", "--project", "Feeder", "--name", "cam", "--permission", "read", "--permission",
                "ingest")
            let secret = key.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(key.status == 0 && secret.hasPrefix("mnw_"), "\(key.stderr)")
            let keys = try await minnow("keys", "list", "--json")
            #expect(keys.status == 0 && keys.stdout.contains("cam") && !keys.stdout.contains(secret))
            let asKey = try await minnow("projects", "list", "--json", extra: ["MINNOW_TOKEN": secret])
            #expect(asKey.status == 0 && asKey.stdout.contains("Feeder"))
            let forbidden = try await minnow("keys", "list", extra: ["MINNOW_TOKEN": secret])
            #expect(forbidden.status == 1 && forbidden.stderr.hasPrefix("error: API keys cannot do this"))
            #expect(forbidden.stderr.split(separator: "\n").count == 1, "one line: \(forbidden.stderr)")

            // deleting needs confirmation
            let unconfirmed = try await minnow("projects", "delete", "Feeder")
            #expect(unconfirmed.status != 0 && unconfirmed.stderr.contains("--yes"))
            let deleted = try await minnow("projects", "delete", "Feeder", "--yes")
            #expect(deleted.status == 0)
            let missing = try await minnow("projects", "show", "Feeder")
            #expect(missing.status == 1 && missing.stderr.contains("No project named \"Feeder\""))

            // sign out revokes; afterwards commands say how to recover
            let token = try String(contentsOf: credentials, encoding: .utf8)
            #expect(try await minnow("logout").status == 0)
            #expect(!FileManager.default.fileExists(atPath: credentials.path))
            let after = try await minnow("whoami")
            #expect(after.status == 1 && after.stderr.contains("minnow login"))
            let stolen = try #require(token.split(separator: "\"").first { $0.hasPrefix("eyJ") })
            #expect(try await server.request(.GET, "/v1/auth/me", token: String(stolen)).status == 401)
        }
    }

    @Test func errorsAreOneLineWithNonZeroExit() async throws {
        try await TestServer.with(.sqlite) { server in
            let config = FileManager.default.temporaryDirectory.appendingPathComponent(
                "minnow-cfg-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: config) }
            let env = ["MINNOW_CONFIG_DIR": config.path]
            _ = try await server.signUp("ada")
            let wrong = try await MinnowProcess.run(
                ["login", "--server", server.baseURL, "--username", "ada", "--password-stdin"], stdin: "nope nope\n",
                environment: env)
            let unreachable = try await MinnowProcess.run(
                ["whoami", "--server", "http://127.0.0.1:1"], environment: env.merging(["MINNOW_TOKEN": "x"]) { $1 })
            let badURL = try await MinnowProcess.run(
                ["whoami", "--server", "not a url"], environment: env.merging(["MINNOW_TOKEN": "x"]) { $1 })
            let notSignedIn = try await MinnowProcess.run(
                ["projects", "list", "--server", server.baseURL], environment: env)
            let weak = try await MinnowProcess.run(
                ["register", "--server", server.baseURL, "--username", "bob", "--password-stdin"], stdin: "short\n",
                environment: env)
            for result in [wrong, unreachable, badURL, notSignedIn, weak] {
                #expect(result.status == 1, "\(result)")
                #expect(
                    result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1,
                    "\(result.stderr)")
            }
            #expect(wrong.stderr.contains("Wrong username or password"))
            #expect(unreachable.stderr.contains("Cannot reach the server at http://127.0.0.1:1"))
            #expect(notSignedIn.stderr.contains("minnow login"))
            #expect(weak.stderr.contains("at least 8"))
        }
    }

    @Test func serveRefusesBadSettingsWithOneLine() async throws {
        let result = try await MinnowProcess.run(
            ["serve", "--data-dir", "/tmp/unused-\(UUID().uuidString)"], environment: ["MINNOW_PORT": "99999"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: MINNOW_PORT must be a whole number from 0 to 65535, got \"99999\".\n")
    }
}
