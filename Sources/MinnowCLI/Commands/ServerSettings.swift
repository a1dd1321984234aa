// The server's settings on the command line, resolved one way for `minnow serve`, `minnow
// worker`, `backup` and `restore`: flags win over the environment, which wins over the config
// file, which wins over the defaults; a bad setting is one `error:` line.
import ArgumentParser
import Foundation
import Logging
import MinnowCore
import MinnowServer

/// Where the database is: the same settings `minnow serve` reads.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: .init(ConfigurationKey.dataDir.help)) var dataDir: String?
    @Option(name: .customLong("database-url"), help: .init(ConfigurationKey.databaseURL.help)) var databaseURL: String?
    @Option(help: "JSON config file (default <data-dir>/minnow.json if it exists).") var config: String?

    func resolve(logLevel: String? = nil) throws -> ServerConfiguration {
        try ServerSettings.resolve(
            flags: ["data-dir": dataDir, "database-url": databaseURL, "log-level": logLevel], configFile: config)
    }
}

enum ServerSettings {
    /// The configuration from the flags given (by their long names; nil when not given), the
    /// environment and the config file.
    static func resolve(flags: [String: String?], configFile: String?) throws -> ServerConfiguration {
        do {
            return try ConfigurationResolver(
                flags: flags.compactMapValues { $0 }, environment: ProcessInfo.processInfo.environment,
                configFile: configFile
            ).resolve()
        } catch let error as ConfigurationError {
            throw CLIFailure(error.description)
        }
    }

    /// Log lines on standard output from `level` up, for every logger of the process.
    static func startLogging(at level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
