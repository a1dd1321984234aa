// `minnow keys ...`: API keys for scripts, cameras and bridges.
import APITypes
import ArgumentParser
import Foundation

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, show and revoke API keys; set a camera key's frame limits.",
        subcommands: [List.self, Create.self, Show.self, Limits.self, Revoke.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your API keys (never their secrets).")
        @OptionGroup var options: ClientOptions
        @Option(help: "Page number (1-based).") var page = 1
        @Option(help: "Keys per page (at most 100).") var perPage = 20

        func run() async throws {
            let result = try await options.client().listAPIKeys(query: .init(page: page, perPage: perPage)).ok.body.json
            if options.json { return try Output.json(result) }
            Output.table(
                ["id", "name", "prefix", "project", "permissions", "expires", "last used"],
                result.items.map {
                    [
                        $0.id, $0.name, $0.prefix + "…", $0.projectId,
                        $0.permissions.map(\.rawValue).joined(separator: ","),
                        Output.date($0.expiresAt), Output.date($0.lastUsedAt),
                    ]
                })
            Output.pageFooter(page: page, perPage: perPage, total: result.metadata.total, shown: result.items.count)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key for one project. Its secret is printed once: store it now.",
            discussion: """
                Use the key as MINNOW_TOKEN for the CLI or as `Authorization: Bearer <key>` over HTTP. \
                With --device, the key is a camera's own: it may only post that camera's frames \
                (permission ingest), optionally limited per minute and per UTC day, and the \
                `minnow camera` command to run on the camera is printed.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Option(help: "A label for the key (default with --device: \"<device> camera\").") var name: String?
        @Option(
            name: .customLong("permission"),
            help: "read, write, ingest, predict or bridge; repeat for several (default read; with --device, ingest).")
        var permissions: [Components.Schemas.Permission] = []
        @Option(help: "Days until the key expires (default: never).") var expiresInDays: Int?
        @Option(help: "A camera device (name or id): the key may only post its frames.") var device: String?
        @Option(
            name: .customLong("frames-per-minute"),
            help: "With --device: frames per minute, then 429 (default: no limit).") var framesPerMinute: Int?
        @Option(
            name: .customLong("daily-frame-quota"),
            help: "With --device: frames per UTC day, then 429 (default: no quota).") var dailyFrameQuota: Int?

        func validate() throws {
            if let days = expiresInDays, days < 1 { throw ValidationError("--expires-in-days must be at least 1.") }
            if name == nil, device == nil { throw ValidationError("Give the key a --name.") }
            if device == nil, framesPerMinute != nil || dailyFrameQuota != nil {
                throw ValidationError("--frames-per-minute and --daily-frame-quota limit a camera's key: add --device.")
            }
            if (framesPerMinute ?? 0) < 0 || (dailyFrameQuota ?? 0) < 0 {
                throw ValidationError("Frame limits are 0 (none) or more.")
            }
        }

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            var deviceID: String?
            if let device { deviceID = try await DeviceReference.resolve(device, project: projectID, with: client) }
            let expiry = expiresInDays.map { Date().addingTimeInterval(TimeInterval($0) * 86400) }
            let body = Components.Schemas.APIKeyCreate(
                name: name ?? "\(device ?? "") camera", projectId: projectID,
                permissions: permissions.isEmpty ? [deviceID == nil ? .read : .ingest] : permissions, expiresAt: expiry,
                deviceId: deviceID, framesPerMinute: framesPerMinute, dailyFrameQuota: dailyFrameQuota)
            let created = try await client.createAPIKey(body: .json(body)).created.body.json
            if options.json { return try Output.json(created) }
            print(created.value2.key)
            var note =
                "Created key \(created.value1.id) (\(created.value1.permissions.map(\.rawValue).joined(separator: ","))). The secret above is shown only this once.\n"
            if let deviceID {
                note += """
                    Run on the camera (any of --folder DIR, --glob PATTERN, --v4l2 /dev/video0):
                      MINNOW_TOKEN=\(created.value2.key) minnow camera --server \(options.serverURL) --project \(projectID) --device \(deviceID) --folder DIR

                    """
            }
            FileHandle.standardError.write(Data(note.utf8))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one API key (without its secret).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Key id.") var id: String

        func run() async throws {
            let key = try await options.client().getAPIKey(path: .init(keyId: id)).ok.body.json
            if options.json { return try Output.json(key) }
            Output.fields(
                [
                    ("id", key.id), ("name", key.name), ("prefix", key.prefix + "…"), ("project", key.projectId),
                    ("permissions", key.permissions.map(\.rawValue).joined(separator: ",")),
                    ("created", Output.date(key.createdAt)),
                    ("expires", Output.date(key.expiresAt)), ("last used", Output.date(key.lastUsedAt)),
                ] + (key.deviceId.map { [("camera", $0), ("frame limits", KeyText.limits(key))] } ?? []))
        }
    }

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a camera key's frame limits (0 removes a limit); they apply at once.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Key id.") var id: String
        @Option(name: .customLong("frames-per-minute"), help: "Frames per minute (0: no limit).") var framesPerMinute:
            Int?
        @Option(name: .customLong("daily-frame-quota"), help: "Frames per UTC day (0: no quota).") var dailyFrameQuota:
            Int?

        func validate() throws {
            guard framesPerMinute != nil || dailyFrameQuota != nil else {
                throw ValidationError("Give --frames-per-minute, --daily-frame-quota or both.")
            }
            if (framesPerMinute ?? 0) < 0 || (dailyFrameQuota ?? 0) < 0 {
                throw ValidationError("Frame limits are 0 (none) or more.")
            }
        }

        func run() async throws {
            let key = try await options.client().updateAPIKey(
                path: .init(keyId: id),
                body: .json(
                    .init(
                        framesPerMinute: framesPerMinute, dailyFrameQuota: dailyFrameQuota))
            ).ok.body.json
            if options.json { return try Output.json(key) }
            print("Key \(key.id): \(KeyText.limits(key)).")
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

enum KeyText {
    /// `10 frames per minute, 1000 per day (used today: 12)`.
    static func limits(_ key: Components.Schemas.APIKey) -> String {
        let perMinute =
            (key.framesPerMinute ?? 0) > 0 ? "\(key.framesPerMinute!) frames per minute" : "no limit per minute"
        let perDay =
            (key.dailyFrameQuota ?? 0) > 0
            ? "\(key.dailyFrameQuota!) per day (used today: \(key.framesToday ?? 0))" : "no daily quota"
        return "\(perMinute), \(perDay)"
    }
}
