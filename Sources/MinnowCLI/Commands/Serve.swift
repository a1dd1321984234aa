// `minnow serve`: the HTTP server. Every setting can come from a flag, an environment
// variable or the config file (flags win, then environment, then file, then defaults).
import ArgumentParser
import Foundation
import MinnowCore
import MinnowServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Minnow server (API, web pages and background workers).",
        discussion: """
            Settings are resolved as flags > environment variables > config file > defaults. \
            The config file is JSON with the flag names as keys, e.g. {"port": 9000}; it is read \
            from --config (or MINNOW_CONFIG), else from <data-dir>/minnow.json when present.

            Environment variables: \(ConfigurationKey.all.map(\.environment).joined(separator: ", ")), MINNOW_CONFIG.

            On first start the server creates the data directory, the SQLite database (unless \
            DATABASE_URL names PostgreSQL) and a random token-signing secret. SIGINT or SIGTERM \
            stops it gracefully.
            """
    )

    @Option(help: .init(ConfigurationKey.host.help)) var host: String?
    @Option(help: .init(ConfigurationKey.port.help)) var port: Int?
    @Option(name: .customLong("data-dir"), help: .init(ConfigurationKey.dataDir.help)) var dataDir: String?
    @Option(help: .init(ConfigurationKey.workers.help)) var workers: Int?
    @Option(name: .customLong("database-url"), help: .init(ConfigurationKey.databaseURL.help)) var databaseURL: String?
    @Option(name: .customLong("log-level"), help: .init(ConfigurationKey.logLevel.help)) var logLevel: String?
    @Option(name: .customLong("token-lifetime"), help: .init(ConfigurationKey.tokenLifetime.help)) var tokenLifetime:
        Int?
    @Option(name: .customLong("max-json-body"), help: .init(ConfigurationKey.maxJSONBody.help)) var maxJSONBody: Int?
    @Option(name: .customLong("bcrypt-cost"), help: .init(ConfigurationKey.bcryptCost.help)) var bcryptCost: Int?
    @Option(name: .customLong("login-failures-per-user"), help: .init(ConfigurationKey.loginFailures.help))
    var loginFailuresPerUser: Int?
    @Option(name: .customLong("login-attempts-per-address"), help: .init(ConfigurationKey.loginAttempts.help))
    var loginAttemptsPerAddress: Int?
    @Option(name: .customLong("login-window"), help: .init(ConfigurationKey.loginWindow.help)) var loginWindow: Int?
    @Option(name: .customLong("prediction-rate-limit"), help: .init(ConfigurationKey.predictionRateLimit.help))
    var predictionRateLimit: Int?
    @Option(name: .customLong("secret-file"), help: .init(ConfigurationKey.secretFile.help)) var secretFile: String?
    @Option(name: .customLong("install-lease"), help: .init(ConfigurationKey.installLease.help)) var installLease: Int?
    @Option(name: .customLong("tls-cert"), help: .init(ConfigurationKey.tlsCert.help)) var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: .init(ConfigurationKey.tlsKey.help)) var tlsKey: String?
    @Option(help: "JSON config file (default <data-dir>/minnow.json if it exists).") var config: String?

    func run() async throws {
        let flags: [String: String?] = [
            "host": host, "port": port.map(String.init), "data-dir": dataDir, "workers": workers.map(String.init),
            "database-url": databaseURL, "log-level": logLevel, "token-lifetime": tokenLifetime.map(String.init),
            "max-json-body": maxJSONBody.map(String.init), "bcrypt-cost": bcryptCost.map(String.init),
            "login-failures-per-user": loginFailuresPerUser.map(String.init),
            "login-attempts-per-address": loginAttemptsPerAddress.map(String.init),
            "login-window": loginWindow.map(String.init), "secret-file": secretFile,
            "prediction-rate-limit": predictionRateLimit.map(String.init),
            "install-lease": installLease.map(String.init), "tls-cert": tlsCert, "tls-key": tlsKey,
        ]
        let settings = try ServerSettings.resolve(flags: flags, configFile: config)
        ServerSettings.startLogging(at: settings.logLevel)
        do {
            try await MinnowServer.serve(settings)
        } catch let error as ConfigurationError {
            throw CLIFailure(error.description)
        }
    }
}
