// `minnow keys ...`: API keys for scripts, cameras and bridges.
import APITypes
import ArgumentParser
import Foundation

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, show and revoke API keys.",
        subcommands: [List.self, Create.self, Show.self, Revoke.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your API keys (never their secrets).")
        @OptionGroup var options: ClientOptions
        @Option(help: "Page number (1-based).") var page = 1
        @Option(help: "Keys per page (at most 100).") var perPage = 20

        func run() async throws {
            let result = try await options.client().listAPIKeys(query: .init(page: page, perPage: perPage)).ok.body.json
            if options.json { return try Output.json(result) }
            Output.table(["id", "name", "prefix", "project", "permissions", "expires", "last used"], result.items.map {
                [$0.id, $0.name, $0.prefix + "…", $0.projectId, $0.permissions.map(\.rawValue).joined(separator: ","),
                 Output.date($0.expiresAt), Output.date($0.lastUsedAt)]
            })
            Output.pageFooter(page: page, perPage: perPage, total: result.metadata.total, shown: result.items.count)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key for one project. Its secret is printed once: store it now.",
            discussion: "Use the key as MINNOW_TOKEN for the CLI or as `Authorization: Bearer <key>` over HTTP."
        )
        @OptionGroup var options: ClientOptions
        @Option(help: "Project id or name.") var project: String
        @Option(help: "A label for the key.") var name: String
        @Option(name: .customLong("permission"), help: "read, write, ingest, predict or bridge; repeat for several.")
        var permissions: [Components.Schemas.Permission] = [.read]
        @Option(help: "Days until the key expires (default: never).") var expiresInDays: Int?

        func validate() throws {
            if let days = expiresInDays, days < 1 { throw ValidationError("--expires-in-days must be at least 1.") }
        }

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let expiry = expiresInDays.map { Date().addingTimeInterval(TimeInterval($0) * 86400) }
            let body = Components.Schemas.APIKeyCreate(name: name, projectId: projectID, permissions: permissions, expiresAt: expiry)
            let created = try await client.createAPIKey(body: .json(body)).created.body.json
            if options.json { return try Output.json(created) }
            print(created.value2.key)
            FileHandle.standardError.write(Data("Created key \(created.value1.id) (\(created.value1.permissions.map(\.rawValue).joined(separator: ","))). The secret above is shown only this once.\n".utf8))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one API key (without its secret).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Key id.") var id: String

        func run() async throws {
            let key = try await options.client().getAPIKey(path: .init(keyId: id)).ok.body.json
            if options.json { return try Output.json(key) }
            Output.fields([
                ("id", key.id), ("name", key.name), ("prefix", key.prefix + "…"), ("project", key.projectId),
                ("permissions", key.permissions.map(\.rawValue).joined(separator: ",")), ("created", Output.date(key.createdAt)),
                ("expires", Output.date(key.expiresAt)), ("last used", Output.date(key.lastUsedAt)),
            ])
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key; it stops working at once.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Key id.") var id: String

        func run() async throws {
            _ = try await options.client().revokeAPIKey(path: .init(keyId: id)).noContent
            if options.json { try Output.json(["revoked": id]) } else { print("Revoked key \(id).") }
        }
    }
}

extension Components.Schemas.Permission: ExpressibleByArgument {}
