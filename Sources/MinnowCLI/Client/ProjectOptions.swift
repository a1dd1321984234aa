// `--project`: the project a command works in, by id or by name, declared once for every
// command (`@OptionGroup var project: ProjectOptions`), and the one resolver of project names.
import APITypes
import ArgumentParser
import Foundation

struct ProjectOptions: ParsableArguments, CustomStringConvertible {
    @Option(name: .customLong("project"), help: ArgumentHelp("Project id or name.", valueName: "project"))
    var reference: String

    /// The project as given on the command line, for messages that repeat it.
    var description: String { reference }
}

extension ClientOptions {
    /// A signed-in client and the id of the project `--project` names (`ProjectReference.resolve`).
    func client(forProject project: ProjectOptions) async throws -> (Client, String) {
        try await client(forProject: project.reference)
    }
}

enum ProjectReference {
    /// A project id as given, or the id of the one project with this exact name.
    static func resolve(_ reference: String, with client: Client) async throws -> String {
        if UUID(uuidString: reference) != nil { return reference }
        var page = 1
        while true {
            let result = try await client.listProjects(query: .init(page: page, perPage: 100)).ok.body.json
            if let match = result.items.first(where: { $0.name == reference }) { return match.id }
            if page * 100 >= result.metadata.total { break }
            page += 1
        }
        throw CLIFailure("No project named \"\(reference)\"; `minnow projects list` shows yours.")
    }
}
