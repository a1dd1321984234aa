// `minnow train` (start an iteration, optionally follow it live) and `minnow iterations ...`
// (list, show, cancel, delete). Iterations are named by number (1, 2, …) or id.
import APITypes
import ArgumentParser
import Foundation
import OpenAPIRuntime

struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on a project's dataset (a new iteration).",
        discussion: """
            Options left out are chosen by the server from the project and its dataset (see \
            `minnow iterations show`). With --follow, progress is shown live and the final \
            metrics are printed; Ctrl-C stops following, not training.

            Example: minnow train --project shoes --arch mobilenet-v1 --size 96 --epochs 30 --follow
            """)
    @OptionGroup var options: ClientOptions
    @OptionGroup var project: ProjectOptions
    @Option(help: "Architecture: tiny-cnn, mobilenet-v1 or fomo.") var arch: Components.Schemas.Architecture?
    @Option(help: "Width multiplier for mobilenet-v1 and fomo (0.1-1.0).") var alpha: Double?
    @Option(help: "Input size, N or WxH.") var size: String?
    @Option(help: "Input colour: grayscale or rgb.") var color: Components.Schemas.ColorMode?
    @Option(help: "Resize mode: squash, crop or letterbox.") var resize: Components.Schemas.ResizeMode?
    @Option(help: "Epochs.") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Mini-batch size.") var batchSize: Int?
    @Option(name: .customLong("learning-rate"), help: "Learning rate.") var learningRate: Double?
    @Option(help: "Optimiser: adam, adamw or sgd.") var optimizer: Components.Schemas.Optimizer?
    @Option(help: "Learning-rate schedule: constant, cosine or step.") var schedule: Components.Schemas.Schedule?
    @Flag(inversion: .prefixedNo, help: "Augment the training split (default: on for small datasets).") var augment:
        Bool?
    @Option(
        name: .customLong("validation-fraction"),
        help: "Part of the training split used to validate each epoch (0-0.5).") var validationFraction: Double?
    @Option(help: "Stop after this many epochs without a better validation accuracy.") var patience: Int?
    @Option(help: "Random seed.") var seed: Int?
    @Option(help: "A note for this iteration.") var note: String?
    @Flag(help: "Follow progress live until the iteration ends.") var follow = false

    func run() async throws {
        let (client, projectID) = try await options.client(forProject: project)
        var input: Components.Schemas.InputSpec?
        if let size {
            let sides = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard sides.count == 1 || sides.count == 2 else {
                throw ValidationError("--size must be N or WxH, e.g. 96 or 128x96")
            }
            input = .init(
                width: sides[0], height: sides.count == 2 ? sides[1] : sides[0], colorMode: color ?? .grayscale)
        } else if color != nil {
            throw ValidationError("--color needs --size too (the input is size and colour together)")
        }
        let configuration = Components.Schemas.TrainingConfigurationInput(
            note: note, architecture: arch, alpha: alpha, input: input, resizeMode: resize, epochs: epochs,
            batchSize: batchSize,
            learningRate: learningRate, optimizer: optimizer, schedule: schedule, augmentation: augment,
            validationFraction: validationFraction, earlyStoppingPatience: patience, seed: seed)
        let iteration = try await client.createIteration(path: .init(projectId: projectID), body: .json(configuration))
            .accepted.body.json
        if !follow {
            if options.json { return try Output.json(iteration) }
            let c = iteration.configuration
            print(
                "Iteration \(iteration.number) queued: \(c.architecture.rawValue) \(c.input.width)x\(c.input.height) \(c.input.colorMode.rawValue), \(c.epochs) epochs, on \(iteration.dataset.train) training and \(iteration.dataset.test) test images."
            )
            print("Follow it with: minnow iterations show \(iteration.number) --project \(project.reference) --follow")
            return
        }
        try await IterationFollower(client: client, projectID: projectID, json: options.json).follow(iteration)
    }
}

extension Components.Schemas.Architecture: ExpressibleByArgument {}
extension Components.Schemas.ResizeMode: ExpressibleByArgument {}
extension Components.Schemas.Optimizer: ExpressibleByArgument {}
extension Components.Schemas.Schedule: ExpressibleByArgument {}

struct Iterations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect, cancel and delete a project's iterations.",
        subcommands: [List.self, Show.self, Cancel.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The project's iterations, newest first.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Option(help: "Page number.") var page: Int = 1

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let list = try await client.listIterations(
                path: .init(projectId: projectID), query: .init(page: page, perPage: 50)
            ).ok.body.json
            if options.json { return try Output.json(list) }
            Output.table(
                ["#", "status", "architecture", "input", "epochs", "images", "created", "note"],
                list.items.map { i in
                    let c = i.configuration
                    return [
                        "\(i.number)", i.status.rawValue, c.architecture.rawValue,
                        "\(c.input.width)x\(c.input.height) \(c.input.colorMode.rawValue)",
                        "\(c.epochs)", "\(i.dataset.images)", Output.date(i.createdAt), i.note ?? "",
                    ]
                })
            Output.pageFooter(
                page: list.metadata.page, perPage: list.metadata.perPage, total: list.metadata.total,
                shown: list.items.count)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One iteration: configuration, progress, and results with per-class metrics.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Iteration number or id.") var iteration: String
        @Flag(help: "Follow progress live until the iteration ends.") var follow = false

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let id = try await IterationReference.resolve(iteration, project: projectID, with: client)
            let found = try await client.getIteration(path: .init(projectId: projectID, iterationId: id)).ok.body.json
            let follower = IterationFollower(client: client, projectID: projectID, json: options.json)
            if follow { return try await follower.follow(found) }
            if options.json { return try Output.json(found) }
            follower.printSummary(found)
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop an iteration that is queued or training.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Iteration number or id.") var iteration: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let id = try await IterationReference.resolve(iteration, project: projectID, with: client)
            let result = try await client.cancelIteration(path: .init(projectId: projectID, iterationId: id)).ok.body
                .json
            if options.json { return try Output.json(result) }
            print(
                result.status == .canceled
                    ? "Iteration \(result.number) canceled."
                    : "Iteration \(result.number) stops after its current step.")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an iteration and its artifacts.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Iteration number or id.") var iteration: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let id = try await IterationReference.resolve(iteration, project: projectID, with: client)
            _ = try await client.deleteIteration(path: .init(projectId: projectID, iterationId: id)).noContent
            if !options.json { print("Deleted iteration \(iteration).") }
        }
    }
}

/// An iteration named on the command line: its number in the project, or its id.
enum IterationReference {
    static func resolve(_ reference: String, project: String, with client: Client) async throws -> String {
        if UUID(uuidString: reference) != nil { return reference.lowercased() }
        guard let number = Int(reference.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) else {
            throw CLIFailure("\"\(reference)\" is not an iteration number or id.")
        }
        var page = 1
        while true {
            let list = try await client.listIterations(
                path: .init(projectId: project), query: .init(page: page, perPage: 100)
            ).ok.body.json
            if let found = list.items.first(where: { $0.number == number }) { return found.id }
            guard page * 100 < list.metadata.total else { break }
            page += 1
        }
        throw CLIFailure("The project has no iteration \(number); see `minnow iterations list`.")
    }
}
