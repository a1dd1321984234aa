// Everything `minnow serve` can be told, with its defaults. Values are resolved from
// flags > environment > config file > defaults by `ConfigurationResolver`; this type only
// holds the result and knows nothing about where a value came from.
import Foundation
import Logging

public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Holds the SQLite database (unless `databaseURL` is set) and the signing secret.
    public var dataDirectory = "./data"
    /// Worker processes started beside the server for background jobs; 0 for API-only nodes.
    public var workers = 1
    /// `postgres://user:password@host:port/database` selects PostgreSQL; nil uses SQLite.
    public var databaseURL: String?
    public var logLevel: Logger.Level = .info
    /// How long a person's access token lives.
    public var accessTokenLifetime: TimeInterval = 8 * 3600
    /// Largest JSON request body accepted (bytes); larger ones get 413.
    public var maxJSONBodyBytes = 1 << 20
    public var bcryptCost = 12
    public var loginLimits = LoginLimits()
    /// Predictions per minute per deployment key, counted in each process's memory; 0 = unlimited.
    public var predictionRateLimit = 0
    /// File holding the token-signing secret; generated on first start when missing.
    public var secretFile: String?
    /// How long a bridge holds an install without reporting before the install fails.
    public var installLeaseSeconds: Double = 60
    /// PEM certificate (chain) and private key; both set serves HTTPS only, with HSTS and
    /// Secure cookies. Neither set serves plain HTTP.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?

    public init() {}

    public var usesTLS: Bool { tlsCertificateFile != nil && tlsKeyFile != nil }

    /// "https" when TLS is on, else "http".
    public var scheme: String { usesTLS ? "https" : "http" }

    public var resolvedSecretFile: String {
        secretFile ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("secret.key").path
    }

    public var sqliteFile: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("minnow.sqlite").path
    }
}

/// Sign-in rate limits: failed attempts per username and attempts per client address,
/// each counted over a window in the database, so all API nodes share them.
public struct LoginLimits: Sendable {
    public var failuresPerUsername = 10
    public var attemptsPerAddress = 60
    public var window: TimeInterval = 15 * 60

    public init() {}
}
