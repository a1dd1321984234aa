// minnow-engine: a development executable over EngineCommands (benchmarks, local runs).
import ArgumentParser
import EngineCommands

do {
    var command = try EngineTool.parseAsRoot()
    if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
} catch {
    EngineTool.exit(withError: error)
}
