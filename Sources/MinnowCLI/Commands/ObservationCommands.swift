// `minnow observations ...`: what the project's cameras saw. Search sightings (one per object,
// or per frame's best label), ask where a label was last seen, save a kept frame, and add
// frames to the dataset (source `device`) for labelling or as the model labelled them.
import APITypes
import ArgumentParser
import Foundation

struct ObservationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observations",
        abstract: "Search what the cameras saw, find where a label was last seen, and turn frames into training data.",
        discussion: """
            Example: minnow observations last-seen cat --project pets
                     minnow observations search --project pets --label cat --since 2h
                     minnow observations to-dataset --project pets --max-score 0.6 --limit 50
            """,
        subcommands: [Search.self, LastSeen.self, Frame.self, ToDataset.self])

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sightings, newest first: time, camera, label, score, position, whether the frame is kept.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var filter: SightingFilterOptions
        @Option(help: "Show at most this many.") var limit: Int = 50

        func validate() throws {
            guard limit >= 1 else { throw ValidationError("--limit is at least 1.") }
        }

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let deviceID = try await filter.deviceID(project: projectID, with: client)
            var items: [Components.Schemas.Sighting] = [], cursor: String?
            repeat {
                let page = try await client.searchSightings(
                    path: .init(projectId: projectID),
                    query: .init(
                        label: filter.label, deviceId: deviceID, from: try filter.fromDate(), to: try filter.toDate(),
                        minScore: filter.minScore, maxScore: filter.maxScore, cursor: cursor,
                        limit: min(200, limit - items.count))
                ).ok.body.json
                items += page.items
                cursor = page.nextCursor
            } while cursor != nil && items.count < limit
            if options.json { return try Output.json(items) }
            guard !items.isEmpty else { return print("No sightings match.") }
            Output.table(
                ["time", "device", "label", "score", "position", "frame"],
                items.map {
                    [
                        Output.date($0.seenAt), $0.deviceName, $0.label, String(format: "%.2f", $0.score),
                        SightingText.position($0) ?? "-",
                        $0.hasFrame ? "kept" : "not kept",
                    ]
                })
            if cursor != nil { print("(the first \(items.count); use --limit for more)") }
        }
    }

    struct LastSeen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "last-seen", abstract: "Where and when a label was last seen, in one line.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "The label, e.g. cat.") var label: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let last = try await client.searchSightings(
                path: .init(projectId: projectID), query: .init(label: label, limit: 1)
            ).ok.body.json.items.first
            if options.json { return try Output.json(last) }
            guard let last else { return print("\(label) has not been seen.") }
            let position = SightingText.position(last).map { ", at \($0)" } ?? ""
            let frame =
                last.hasFrame
                ? "\(options.serverURL)/v1/projects/\(projectID)/observations/\(last.observationId)/frame" : "not kept"
            print(
                "\(label) was last seen by \(last.deviceName) at \(Output.date(last.seenAt)) (score \(String(format: "%.2f", last.score))\(position)); frame: \(frame)"
            )
        }
    }

    struct Frame: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save an observation's frame, while retention keeps it.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Observation id (from `observations search --json` or `last-seen`).") var observation: String
        @Option(name: .shortAndLong, help: "File to write, e.g. frame.jpg.") var output: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let response = try await client.getObservationFrame(
                path: .init(projectId: projectID, observationId: observation)
            ).ok.body
            let body =
                switch response {
                case .jpeg(let body), .png(let body): body
                }
            let bytes = try await Download.save(body, to: output, showProgress: false)
            if options.json { return try Output.json(["file": output, "bytes": "\(bytes)"]) }
            print("Saved the frame of \(observation) to \(output) (\(ProgressLine.bytes(bytes))).")
        }
    }

    struct ToDataset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "to-dataset",
            abstract:
                "Add camera frames to the dataset (source device): unlabelled for labelling, or --labelled as the model saw them.",
            discussion:
                "Select frames by --ids, or like a search (--max-score 0.6 finds the ones the model was unsure of); newest first."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var filter: SightingFilterOptions
        @Option(help: "Observation ids, comma-separated.") var ids: String?
        @Flag(help: "Label them as the model saw them (detection: a box around each object's cell).") var labelled =
            false
        @Option(help: "train, test or auto (default auto).") var split: Components.Schemas.SplitChoice?
        @Option(help: "At most this many frames (1-500).") var limit: Int = 100

        func validate() throws {
            guard (1...500).contains(limit) else { throw ValidationError("--limit is 1 to 500.") }
        }

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let selection = Components.Schemas.ObservationSelection(
                observationIds: ids.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                label: filter.label, deviceId: try await filter.deviceID(project: projectID, with: client),
                from: try filter.fromDate(), to: try filter.toDate(), minScore: filter.minScore,
                maxScore: filter.maxScore,
                limit: limit, labelled: labelled, split: split)
            let report = try await client.addObservationsToDataset(
                path: .init(projectId: projectID), body: .json(selection)
            ).ok.body.json
            if options.json { return try Output.json(report) }
            print(
                "Added \(report.added) image\(report.added == 1 ? "" : "s") (source device, \(labelled ? "labelled as the model saw them" : "unlabelled")); skipped \(report.skipped.count)."
            )
            for skipped in report.skipped { print("  skipped \(skipped.observationId): \(skipped.reason)") }
        }
    }
}

/// The filters `observations search` and `to-dataset` share.
struct SightingFilterOptions: ParsableArguments {
    @Option(help: "Only this label.") var label: String?
    @Option(help: "Only this camera (name or id).") var device: String?
    @Option(
        name: [.customLong("since"), .customLong("from")],
        help: "Seen at or after: a date (2026-12-06, 2026-12-06T08:00:00Z) or a time ago (90m, 2h, 3d).")
    var since: String?
    @Option(help: "Seen before this date.") var to: String?
    @Option(name: .customLong("min-score"), help: "At least this score (0-1).") var minScore: Double?
    @Option(name: .customLong("max-score"), help: "At most this score (0-1): the frames the model was unsure of.")
    var maxScore: Double?

    func fromDate() throws -> Date? { try since.map { try Self.date($0, option: "--since") } }
    func toDate() throws -> Date? { try to.map { try Self.date($0, option: "--to") } }

    func deviceID(project: String, with client: Client) async throws -> String? {
        guard let device else { return nil }
        return try await DeviceReference.resolve(device, project: project, with: client)
    }

    static func date(_ text: String, option: String) throws -> Date {
        if let unit = text.last, let amount = Double(text.dropLast()),
            let seconds = ["s": 1.0, "m": 60, "h": 3600, "d": 86400][String(unit)]
        {
            return Date().addingTimeInterval(-amount * seconds)
        }
        for format in [
            Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle(),
            .iso8601.year().month().day(),
        ] {
            if let date = try? format.parse(text) { return date }
        }
        throw CLIFailure(
            "\(option) takes a date like 2026-12-06 or 2026-12-06T08:00:00Z, or a time ago like 90m, 2h or 3d; got \"\(text)\"."
        )
    }
}

enum SightingText {
    /// `0.31,0.62` for a detected object's centre; nil for classification.
    static func position(_ sighting: Components.Schemas.Sighting) -> String? {
        guard let x = sighting.x, let y = sighting.y else { return nil }
        return String(format: "%.2f,%.2f", x, y)
    }
}
