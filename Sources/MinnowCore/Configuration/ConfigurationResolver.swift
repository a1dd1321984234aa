// Resolves `ServerConfiguration` from flags > environment > config file > defaults.
// Each setting is described once in `ConfigurationKey.all` (flag, variable, file key, help),
// and that table feeds `minnow serve --help` too, so the documentation cannot drift.
import Foundation
import Logging

public struct ConfigurationKey: Sendable {
    public let name: String  // flag without dashes and config-file key, e.g. "data-dir"
    public let environment: String  // e.g. "MINNOW_DATA_DIR"
    public let help: String

    public static let host = Self(
        name: "host", environment: "MINNOW_HOST",
        help: "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).")
    public static let port = Self(name: "port", environment: "MINNOW_PORT", help: "TCP port (default 8080).")
    public static let dataDir = Self(
        name: "data-dir", environment: "MINNOW_DATA_DIR",
        help: "Data directory: SQLite database, signing secret, config file (default ./data).")
    public static let workers = Self(
        name: "workers", environment: "MINNOW_WORKERS",
        help: "Local worker processes for background jobs; 0 for an API-only node (default 1).")
    public static let databaseURL = Self(
        name: "database-url", environment: "DATABASE_URL",
        help: "PostgreSQL URL (postgres://user:pass@host:5432/db); SQLite in the data directory when absent.")
    public static let logLevel = Self(
        name: "log-level", environment: "MINNOW_LOG_LEVEL",
        help: "trace, debug, info, notice, warning, error or critical (default info).")
    public static let tokenLifetime = Self(
        name: "token-lifetime", environment: "MINNOW_TOKEN_LIFETIME",
        help: "Access token lifetime in seconds (default 28800).")
    public static let maxJSONBody = Self(
        name: "max-json-body", environment: "MINNOW_MAX_JSON_BODY",
        help: "Largest JSON request body in bytes (default 1048576).")
    public static let bcryptCost = Self(
        name: "bcrypt-cost", environment: "MINNOW_BCRYPT_COST",
        help: "bcrypt cost for password hashes, 4–31 (default 12).")
    public static let loginFailures = Self(
        name: "login-failures-per-user", environment: "MINNOW_LOGIN_FAILURES_PER_USER",
        help: "Failed sign-ins per username per window before 429 (default 10).")
    public static let loginAttempts = Self(
        name: "login-attempts-per-address", environment: "MINNOW_LOGIN_ATTEMPTS_PER_ADDRESS",
        help: "Sign-in attempts per client address per window before 429 (default 60).")
    public static let loginWindow = Self(
        name: "login-window", environment: "MINNOW_LOGIN_WINDOW",
        help: "Sign-in rate-limit window in seconds (default 900).")
    public static let predictionRateLimit = Self(
        name: "prediction-rate-limit", environment: "MINNOW_PREDICTION_RATE_LIMIT",
        help:
            "Predictions per minute per deployment key before 429, counted per server process; 0 for no limit (default 0)."
    )
    public static let secretFile = Self(
        name: "secret-file", environment: "MINNOW_SECRET_FILE",
        help: "Token-signing secret file; share it between API nodes (default <data-dir>/secret.key).")

    public static let installLease = Self(
        name: "install-lease", environment: "MINNOW_INSTALL_LEASE",
        help: "Seconds a bridge may go without reporting on an install before it fails (default 60).")

    public static let tlsCert = Self(
        name: "tls-cert", environment: "MINNOW_TLS_CERT",
        help: "PEM certificate (chain) file; with --tls-key the port serves HTTPS only, with HSTS and Secure cookies.")
    public static let tlsKey = Self(
        name: "tls-key", environment: "MINNOW_TLS_KEY", help: "PEM private key file (unencrypted) matching --tls-cert.")

    public static let all: [Self] = [
        host, port, dataDir, workers, databaseURL, logLevel, tokenLifetime, maxJSONBody,
        bcryptCost, loginFailures, loginAttempts, loginWindow, predictionRateLimit, secretFile, installLease, tlsCert,
        tlsKey,
    ]
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    package init(description: String) {
        self.description = description
    }
}

public struct ConfigurationResolver: Sendable {
    public var flags: [String: String]
    public var environment: [String: String]
    /// Explicit config file; when nil, `<data-dir>/minnow.json` is read if it exists.
    public var configFile: String?

    public init(flags: [String: String], environment: [String: String], configFile: String? = nil) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile ?? environment["MINNOW_CONFIG"]
    }

    public func resolve() throws -> ServerConfiguration {
        let dataDirectory = flags["data-dir"] ?? environment["MINNOW_DATA_DIR"]
        let file = try readConfigFile(dataDirectory: dataDirectory ?? ServerConfiguration().dataDirectory)
        func value(_ key: ConfigurationKey) -> (String, source: String)? {
            if let v = flags[key.name] { return (v, "--\(key.name)") }
            if let v = environment[key.environment], !v.isEmpty { return (v, key.environment) }
            if let v = file[key.name] { return (v, "config file key \"\(key.name)\"") }
            return nil
        }
        func int(_ key: ConfigurationKey, in range: ClosedRange<Int>) throws -> Int? {
            guard let (text, source) = value(key) else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw ConfigurationError(
                    description:
                        "\(source) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"."
                )
            }
            return number
        }

        var config = ServerConfiguration()
        if let (v, _) = value(.host) { config.host = v }
        if let v = try int(.port, in: 0...65535) { config.port = v }
        if let (v, _) = value(.dataDir) { config.dataDirectory = v }
        if let v = try int(.workers, in: 0...64) { config.workers = v }
        if let (v, _) = value(.databaseURL) { config.databaseURL = v }
        if let (v, source) = value(.logLevel) {
            guard let level = Logger.Level(rawValue: v.lowercased()) else {
                throw ConfigurationError(
                    description:
                        "\(source) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(v)\"."
                )
            }
            config.logLevel = level
        }
        if let v = try int(.tokenLifetime, in: 60...(30 * 86400)) { config.accessTokenLifetime = TimeInterval(v) }
        if let v = try int(.maxJSONBody, in: 1024...(64 << 20)) { config.maxJSONBodyBytes = v }
        if let v = try int(.bcryptCost, in: 4...31) { config.bcryptCost = v }
        if let v = try int(.loginFailures, in: 1...100_000) { config.loginLimits.failuresPerUsername = v }
        if let v = try int(.loginAttempts, in: 1...100_000) { config.loginLimits.attemptsPerAddress = v }
        if let v = try int(.loginWindow, in: 1...86400) { config.loginLimits.window = TimeInterval(v) }
        if let v = try int(.predictionRateLimit, in: 0...1_000_000) { config.predictionRateLimit = v }
        if let (v, _) = value(.secretFile) { config.secretFile = v }
        if let v = try int(.installLease, in: 5...3600) { config.installLeaseSeconds = Double(v) }
        switch (value(.tlsCert), value(.tlsKey)) {
        case (nil, nil): break
        case let ((cert, _)?, (key, _)?):
            config.tlsCertificateFile = cert
            config.tlsKeyFile = key
        case let ((_, source)?, nil):
            throw ConfigurationError(
                description: "\(source) is set but no TLS key is (--tls-key or MINNOW_TLS_KEY); HTTPS needs both.")
        case let (nil, (_, source)?):
            throw ConfigurationError(
                description:
                    "\(source) is set but no TLS certificate is (--tls-cert or MINNOW_TLS_CERT); HTTPS needs both.")
        }
        return config
    }

    /// Reads a flat JSON object whose keys are the flag names, e.g. `{"port": 9000, "host": "0.0.0.0"}`.
    private func readConfigFile(dataDirectory: String) throws -> [String: String] {
        let path = configFile ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("minnow.json").path
        guard FileManager.default.fileExists(atPath: path) else {
            if configFile != nil { throw ConfigurationError(description: "Config file \(path) does not exist.") }
            return [:]
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError(description: "Config file \(path) must be a JSON object, e.g. {\"port\": 8080}.")
        }
        let known = Set(ConfigurationKey.all.map(\.name))
        var values: [String: String] = [:]
        for (key, raw) in object {
            guard known.contains(key) else {
                throw ConfigurationError(
                    description:
                        "Config file \(path) has an unknown key \"\(key)\"; known keys: \(known.sorted().joined(separator: ", "))."
                )
            }
            values[key] = (raw as? String) ?? "\(raw)"
        }
        return values
    }
}
