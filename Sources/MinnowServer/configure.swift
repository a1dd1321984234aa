// The one place that wires the server together. `minnow serve` and the tests both call it;
// the tests pass a configuration of their own (temporary directory, fast bcrypt).
import Fluent
import Prometheus
import Vapor

public func configure(_ app: Application, _ config: ServerConfiguration) async throws {
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    app.http.server.configuration.reportMetrics = false  // requests are observed by RequestObservationMiddleware
    if let certificate = config.tlsCertificateFile, let key = config.tlsKeyFile {  // HTTPS only on the port
        app.http.server.configuration.tlsConfiguration = try TLSFiles.serverConfiguration(certificateFile: certificate, keyFile: key)
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
    try DatabaseSetup.use(config, on: app)
    DatabaseSetup.registerMigrations(on: app)
    try await app.autoMigrate()
    try await DatabaseSetup.tune(config, on: app)

    let secret = try SigningSecret.loadOrCreate(at: config.resolvedSecretFile)
    let models = ModelCache()
    let metrics = PrometheusCollectorRegistry()
    let predictionStats = PredictionStats()
    let services = MinnowServices(
        config: config,
        authenticator: Authenticator(tokens: AccessTokens(secret: secret, lifetime: config.accessTokenLifetime), csrf: CSRFTokens(secret: secret)),
        loginLimiter: LoginRateLimiter(limits: config.loginLimits),
        metrics: metrics,
        dummyPasswordHash: try app.password.hash(UUID().uuidString),
        models: models,
        deployments: DeploymentDirectory(models: models, metrics: metrics, stats: predictionStats),
        predictionStats: predictionStats,
        predictionLimiter: .predictions(metrics: metrics),
        frameLimiter: .frames(metrics: metrics),
        frameWriter: FrameWriter(),
        secretReveal: SecretReveal(secret: secret)
    )
    app.storage[MinnowServices.Key.self] = services
    app.lifecycle.use(services.predictionStats)

    app.middleware = Middlewares()
    app.middleware.use(RequestObservationMiddleware(metrics: services.metrics))
    app.middleware.use(SecureHeadersMiddleware(servesTLS: config.usesTLS))
    app.middleware.use(ErrorMiddleware())

    OperationsRoutes.register(on: app, metrics: services.metrics, scheme: config.scheme)
    try WebRoutes(services: services).register(on: app)
    try APIHandler(services: services).registerHandlers(
        on: APITransport(routes: app),
        configuration: .minnow,  // compact JSON (no indentation to write and send), RFC 3339 dates with or without fractions
        middlewares: [BodyLimitMiddleware(defaultLimit: config.maxJSONBodyBytes, limits: Limits.perOperation)]
    )
    app.lifecycle.use(MaintenanceTask(interval: .seconds(600), spool: ImportJob.spoolDirectory(dataDirectory: config.dataDirectory),
                                      metrics: CameraMetrics(registry: metrics)))
}

/// Runs a server until SIGINT or SIGTERM, then shuts down gracefully (in-flight requests finish).
public func serve(_ config: ServerConfiguration) async throws {
    let app = try await Application.make(Environment(name: "production", arguments: ["minnow"]))
    do {
        try await configure(app, config)
        if config.workers > 0 {
            var arguments = ["--data-dir", config.dataDirectory, "--log-level", config.logLevel.rawValue]
            if let url = config.databaseURL { arguments += ["--database-url", url] }
            app.lifecycle.use(WorkerSupervisor(count: config.workers, arguments: arguments))
        }
        app.logger.notice("minnow serving", metadata: [
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
