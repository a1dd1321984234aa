// `minnow projects ...`: create, list, show, update, delete. A project can be named by id
// or by its name.
import APITypes
import ArgumentParser
import Foundation

struct Projects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, show, update and delete projects.",
        subcommands: [List.self, Create.self, Show.self, Update.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your projects, newest first.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Page number (1-based).") var page = 1
        @Option(help: "Projects per page (at most 100).") var perPage = 20

        func run() async throws {
            let result = try await options.client().listProjects(query: .init(page: page, perPage: perPage)).ok.body
                .json
            if options.json { return try Output.json(result) }
            Output.table(
                ["id", "name", "task", "input", "created"],
                result.items.map {
                    [$0.id, $0.name, $0.task.rawValue, $0.input.summary, Output.date($0.createdAt)]
                })
            Output.pageFooter(page: page, perPage: perPage, total: result.metadata.total, shown: result.items.count)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a project.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The project's name.") var name: String
        @Option(help: "classification or detection.") var task: Components.Schemas.Task = .classification
        @Option(help: "A description.") var description: String?
        @OptionGroup var input: InputOptions

        func run() async throws {
            let body = Components.Schemas.ProjectCreate(
                name: name, description: description, task: task, input: try input.spec(default: nil))
            let project = try await options.client().createProject(body: .json(body)).created.body.json
            try show(project, options)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one project.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Project id or name.") var project: String

        func run() async throws {
            let (client, id) = try await options.client(forProject: project)
            try show(try await client.getProject(path: .init(projectId: id)).ok.body.json, options)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a project, describe it, or change its default input.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Project id or name.") var project: String
        @Option(help: "The new name.") var name: String?
        @Option(help: "The new description.") var description: String?
        @OptionGroup var input: InputOptions

        func run() async throws {
            let (client, id) = try await options.client(forProject: project)
            var spec: Components.Schemas.InputSpec?
            if input.isSet {
                spec = try input.spec(
                    default: try await client.getProject(path: .init(projectId: id)).ok.body.json.input)
            }
            let body = Components.Schemas.ProjectUpdate(name: name, description: description, input: spec)
            try show(
                try await client.updateProject(path: .init(projectId: id), body: .json(body)).ok.body.json, options)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a project and everything in it.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Project id or name.") var project: String
        @Flag(help: "Confirm the deletion.") var yes = false

        func validate() throws {
            guard yes else { throw ValidationError("This deletes the project and all its data; add --yes to confirm.") }
        }

        func run() async throws {
            let (client, id) = try await options.client(forProject: project)
            _ = try await client.deleteProject(path: .init(projectId: id)).noContent
            if options.json { try Output.json(["deleted": id]) } else { print("Deleted project \(project).") }
        }
    }
}

private func show(_ project: Components.Schemas.Project, _ options: ClientOptions) throws {
    if options.json { return try Output.json(project) }
    Output.fields([
        ("id", project.id), ("name", project.name), ("task", project.task.rawValue),
        ("input", project.input.summary), ("description", project.description.isEmpty ? "-" : project.description),
        ("created", Output.date(project.createdAt)), ("updated", Output.date(project.updatedAt)),
    ])
}

/// `--input 96x96 --color grayscale`.
struct InputOptions: ParsableArguments {
    @Option(help: "Default model input size, WIDTHxHEIGHT (e.g. 96x96).") var input: String?
    @Option(help: "grayscale or rgb.") var color: Components.Schemas.ColorMode?

    var isSet: Bool { input != nil || color != nil }

    func spec(default fallback: Components.Schemas.InputSpec?) throws -> Components.Schemas.InputSpec? {
        guard isSet else { return fallback }
        var spec = fallback ?? .init(width: 96, height: 96, colorMode: .grayscale)
        if let input {
            let parts = input.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2 else { throw ValidationError("--input must look like 96x96.") }
            spec.width = parts[0]
            spec.height = parts[1]
        }
        if let color { spec.colorMode = color }
        return spec
    }
}

extension Components.Schemas.Task: ExpressibleByArgument {}
extension Components.Schemas.ColorMode: ExpressibleByArgument {}

extension Components.Schemas.InputSpec {
    var summary: String { "\(width)x\(height) \(colorMode.rawValue)" }
}
