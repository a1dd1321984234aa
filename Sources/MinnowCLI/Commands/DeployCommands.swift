// `minnow deploy NAME --iteration N` (publish, or re-point an existing name), `minnow
// deployments ...` (list, delete, rotate-key) and `minnow predict NAME IMAGE...`.
import APITypes
import ArgumentParser
import Foundation
import OpenAPIRuntime

struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish a trained iteration under a name (or re-point the name to another iteration).",
        discussion: """
            A new deployment prints its prediction key once; store it. Re-pointing keeps the \
            endpoint and the key, so clients do not change.

            --daily-quota N limits the key to N predictions per UTC day (then 429 until \
            midnight UTC); --daily-quota 0 removes the quota.

            Example: minnow deploy shoes --project shoes --iteration 3 --daily-quota 10000
            """)
    @OptionGroup var options: ClientOptions
    @OptionGroup var project: ProjectOptions
    @Argument(help: "Deployment name (lowercase letters, digits and dashes); the endpoint is /v1/predict/<name>.")
    var name: String
    @Option(help: "Iteration number or id.") var iteration: String
    @Option(name: .customLong("daily-quota"), help: "Predictions per UTC day for the key (0: no quota).")
    var dailyQuota: Int?

    func run() async throws {
        let (client, projectID) = try await options.client(forProject: project)
        let id = try await IterationReference.resolve(iteration, project: projectID, with: client)
        let existing = try await client.listDeployments(path: .init(projectId: projectID)).ok.body.json.items.first {
            $0.name == name
        }
        if existing != nil {
            let updated = try await client.updateDeployment(
                path: .init(projectId: projectID, deployment: name),
                body: .json(.init(iterationId: id, dailyQuota: dailyQuota))
            ).ok.body.json
            if options.json { return try Output.json(updated) }
            return print(
                "\(name) now serves iteration \(updated.iterationNumber); clients keep the same endpoint and key.")
        }
        let created = try await client.createDeployment(
            path: .init(projectId: projectID),
            body: .json(.init(name: name, iterationId: id, dailyQuota: dailyQuota == 0 ? nil : dailyQuota))
        ).created.body.json
        if options.json { return try Output.json(created) }
        print("Published iteration \(created.value1.iterationNumber) as \(name).")
        Output.fields([
            ("Endpoint", options.serverURL + created.value1.endpoint), ("Prediction-Key", created.value2.predictionKey),
        ])
        print(
            "The key is shown only now; store it. Try: minnow predict \(name) IMAGE --key \(created.value2.predictionKey)"
        )
    }
}

struct Deployments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, unpublish and rotate keys of a project's deployments.",
        subcommands: [List.self, Delete.self, RotateKey.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deployments with their iteration, request counts and latency.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let items = try await client.listDeployments(path: .init(projectId: projectID)).ok.body.json.items
            if options.json { return try Output.json(items) }
            Output.table(
                ["name", "iteration", "requests", "errors", "avg ms", "last request", "key"],
                items.map {
                    [
                        $0.name, "\($0.iterationNumber)", "\($0.requests)", "\($0.errors)",
                        $0.averageLatencyMs.map { String(format: "%.2f", $0) } ?? "-",
                        Output.date($0.lastRequestAt), $0.keyPrefix + "…",
                    ]
                })
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unpublish: the endpoint and its key stop working at once.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Deployment name.") var name: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            _ = try await client.deleteDeployment(path: .init(projectId: projectID, deployment: name)).noContent
            if !options.json { print("Unpublished \(name).") }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key", abstract: "Replace the prediction key; the old one stops working.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Deployment name.") var name: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let rotated = try await client.rotateDeploymentKey(path: .init(projectId: projectID, deployment: name)).ok
                .body.json
            if options.json { return try Output.json(rotated) }
            Output.fields([("Prediction-Key", rotated.value2.predictionKey)])
        }
    }
}

struct Predict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a deployment what it sees in one or more images.",
        discussion:
            "The key comes from --key or $MINNOW_PREDICTION_KEY. Example: minnow predict shoes photo.jpg --key mnwp_..."
    )
    @OptionGroup var options: ClientOptions
    @Argument(help: "Deployment name.") var name: String
    @Argument(help: "JPEG or PNG files.") var images: [String]
    @Option(help: "Prediction key (default: $MINNOW_PREDICTION_KEY).") var key: String?
    @Option(help: "Detection: lowest score reported as an object (default 0.5); classification: hide labels below it.")
    var threshold: Double?

    func run() async throws {
        guard let key = key ?? ProcessInfo.processInfo.environment["MINNOW_PREDICTION_KEY"], !key.isEmpty else {
            throw CLIFailure("Give the deployment's prediction key with --key or MINNOW_PREDICTION_KEY.")
        }
        guard !images.isEmpty else { throw ValidationError("give at least one image file") }
        var parts: [Operations.Predict.Input.Body.MultipartFormPayload] = []
        for path in images {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIFailure("\(path) does not exist or cannot be read.")
            }
            let fileName = URL(fileURLWithPath: path).lastPathComponent
            parts.append(.files(.init(payload: .init(body: HTTPBody(data)), filename: fileName)))
        }
        let client = try options.client(authenticated: false)
        let result = try await client.predict(
            path: .init(deployment: name), query: .init(threshold: threshold),
            headers: .init(predictionKey: key), body: .multipartForm(.init(parts))
        ).ok.body.json
        if options.json { return try Output.json(result) }
        for prediction in result.predictions {
            let scores = prediction.scores.prefix(3).map { String(format: "%@ %.1f%%", $0.label, $0.score * 100) }
                .joined(separator: ", ")
            print("\(prediction.fileName ?? "image"): \(prediction.label ?? "nothing found")  (\(scores))")
            for d in prediction.detections ?? [] {
                print(String(format: "  %@ at (%.2f, %.2f) score %.2f", d.label, d.x, d.y, d.score))
            }
        }
    }
}
