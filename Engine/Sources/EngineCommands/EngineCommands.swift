// EngineCommands: the engine's commands, mounted by the root `minnow` executable
// (`EngineCommands.all`) and by the `minnow-engine` development executable.

import ArgumentParser

/// Commands the `minnow` executable mounts as subcommands.
public struct EngineCommands {
    public static let all: [ParsableCommand.Type] = [
        TrainLocal.self, ExportModel.self, InspectModel.self, RunModel.self,
    ]
}

/// `minnow-engine`: development entry point (train-local plus benchmarks).
public struct EngineTool: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "minnow-engine",
        abstract: "Minnow learning engine (development tool).",
        subcommands: EngineCommands.all + [Bench.self])
    public init() {}
}
