// The one place that wires the server together. `minnow serve` and the tests both call it;
// the tests pass a configuration of their own (temporary directory, fast bcrypt).
import Fluent
import MinnowCore
import Vapor

public func configure(_ app: Application, _ config: ServerConfiguration) async throws {
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    app.http.server.configuration.reportMetrics = false  // requests are observed by RequestObservationMiddleware
    if let certificate = config.tlsCertificateFile, let key = config.tlsKeyFile {  // HTTPS only on the port
        app.http.server.configuration.tlsConfiguration = try TLSFiles.serverConfiguration(
            certificateFile: certificate, keyFile: key)
    }
    app.passwords.use(.bcrypt(cost: config.bcryptCost))

    if config.databaseURL == nil {
        // SQLite runs each statement on a thread of the application's pool, and a statement
        // waiting for another connection's write lock keeps its thread (sqlite-nio's busy
        // handler retries at once, without end). On the process-wide default pool (one thread
        // per core, shared by every application in the process: the tests run many) such
        // waiters can leave the lock holder no thread to finish on, and everything stops. The
        // server gets a pool of its own, with more threads than its connections can tie up.
        // (`minnow worker` keeps the default: one application, and more threads there only
        // spread its allocations over more malloc arenas — 3x the RSS in the soak.)
        app.threadPool = NIOThreadPool(numberOfThreads: max(8, 4 * System.coreCount))
    }
    try DatabaseSetup.use(config, on: app.databases)
    DatabaseSetup.registerMigrations(on: app.migrations)
    try await app.autoMigrate()
    try await DatabaseSetup.tune(config, databases: app.databases, on: app.eventLoopGroup, logger: app.logger)

    let services = MinnowServices(
        config: config, secret: try SigningSecret.loadOrCreate(at: config.resolvedSecretFile),
        dummyPasswordHash: try app.password.hash(UUID().uuidString)
    )
    app.storage[MinnowServices.Key.self] = services
    app.lifecycle.use(PredictionStatsFlushing(stats: services.predictionStats))

    let drain = RequestDrain()
    app.middleware = Middlewares()
    app.middleware.use(drain)
    app.middleware.use(RequestObservationMiddleware(metrics: services.metrics))
    app.middleware.use(SecureHeadersMiddleware(servesTLS: config.usesTLS))
    app.middleware.use(ErrorMiddleware())

    OperationsRoutes.register(on: app, metrics: services.metrics, scheme: config.scheme)
    try WebRoutes(services: services).register(on: app)
    try APIHandler(APIDependencies(app: app, services: services)).registerHandlers(
        on: APITransport(routes: app),
        // compact JSON (no indentation to write and send), RFC 3339 dates with or without fractions
        configuration: .minnow,
        middlewares: [BodyLimitMiddleware(defaultLimit: config.maxJSONBodyBytes, limits: Limits.perOperation)]
    )
    app.lifecycle.use(
        MaintenanceTask(
            interval: .seconds(600), spool: ImportJob.spoolDirectory(dataDirectory: config.dataDirectory),
            metrics: CameraMetrics(registry: services.metrics)))
    app.lifecycle.use(FreedMemoryTask(interval: .seconds(30)))
    app.lifecycle.use(drain)  // last in, first to shut down: requests finish before anything closes
}

/// Runs a server until SIGINT or SIGTERM, then shuts down gracefully (in-flight requests finish).
public func serve(_ config: ServerConfiguration) async throws {
    FreedMemory.limitArenas()
    let app = try await Application.make(Environment(name: "production", arguments: ["minnow"]))
    do {
        try await configure(app, config)
        if config.workers > 0 {
            var arguments = ["--data-dir", config.dataDirectory, "--log-level", config.logLevel.rawValue]
            if let url = config.databaseURL { arguments += ["--database-url", url] }
            app.lifecycle.use(WorkerSupervisor(count: config.workers, arguments: arguments))
        }
        app.logger.notice(
            "minnow serving",
            metadata: [
                "address": "\(config.scheme)://\(config.host):\(config.port)",
                "scheme": "\(config.scheme)",
                "database": .string(config.databaseURL == nil ? "sqlite \(config.sqliteFile)" : "postgresql"),
                "workers": "\(config.workers)",
            ])
        try await app.execute()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}
