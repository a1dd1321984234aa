// The `minnow` command: the server (`serve`) and every client command, one binary.
import ArgumentParser
import EngineCommands
import Foundation
import OpenAPIRuntime

public struct MinnowCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "minnow",
        abstract: "Minnow: train small image models and deploy them to microcontrollers and the cloud.",
        discussion: """
            Start a server with `minnow serve`, then register and sign in with `minnow register` and \
            `minnow login`. Every command talks to the server given by --server, the MINNOW_SERVER \
            environment variable, or the one you signed in to (default http://127.0.0.1:8080).
            """,
        subcommands: [
            Serve.self, Worker.self, BackupCommand.self, RestoreCommand.self, Register.self, Login.self, Logout.self,
            Whoami.self, Password.self,
            Account.self, Keys.self, Projects.self, Images.self, Labels.self, Dataset.self,
            Train.self, Iterations.self, Evaluate.self, DownloadModel.self, Deploy.self, Deployments.self, Predict.self,
            Devices.self, Bridges.self, BridgeCommand.self, EmulatorCommand.self, CameraCommand.self,
            ObservationsCommand.self,
        ] + EngineCommands.all
    )

    public init() {}

    /// Runs the command line, printing client failures as one line on standard error.
    public static func runMain() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // The generated client wraps what its middlewares throw; report the cause.
            var cause: any Error = error
            while let wrapped = cause as? ClientError { cause = wrapped.underlyingError }
            if let failure = cause as? CLIFailure {
                FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
                Foundation.exit(failure.exitCode)
            }
            exit(withError: cause)
        }
    }
}
