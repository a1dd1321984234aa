// The long-lived services one server shares between requests, made once in `configure`.
import Foundation
import MinnowCore
import Prometheus
import Vapor

struct MinnowServices: Sendable {
    let config: ServerConfiguration
    let authenticator: Authenticator
    let loginLimiter: LoginRateLimiter
    let metrics: PrometheusCollectorRegistry
    /// A hash of a random password at the configured cost: sign-ins for unknown users verify
    /// against it, so their timing does not reveal which usernames exist.
    let dummyPasswordHash: String
    /// Trained models loaded for quick tests and predictions.
    let models: ModelCache
    let deployments: DeploymentDirectory
    let predictionStats: PredictionStats
    /// `--prediction-rate-limit`, in memory per process.
    let predictionLimiter: RateLimiter
    /// Keys' `framesPerMinute`, in memory per process.
    let frameLimiter: RateLimiter
    /// Camera observations, committed in batches.
    let frameWriter: FrameWriter
    /// Carries a new key from the form that made it to the one page that shows it.
    let secretReveal: SecretReveal

    var tokens: AccessTokens { authenticator.tokens }

    /// Where `configure` leaves them in the application, for tools and tests.
    struct Key: StorageKey {
        typealias Value = MinnowServices
    }
}

extension MinnowServices {
    /// One server's services over its signing secret; `configure` and the handler unit tests
    /// make them here.
    init(config: ServerConfiguration, secret: Data, dummyPasswordHash: String) {
        let models = ModelCache()
        let metrics = PrometheusCollectorRegistry()
        let predictionStats = PredictionStats()
        self.init(
            config: config,
            authenticator: Authenticator(
                tokens: AccessTokens(secret: secret, lifetime: config.accessTokenLifetime),
                csrf: CSRFTokens(secret: secret)),
            loginLimiter: LoginRateLimiter(limits: config.loginLimits),
            metrics: metrics,
            dummyPasswordHash: dummyPasswordHash,
            models: models,
            deployments: DeploymentDirectory(models: models, metrics: metrics, stats: predictionStats),
            predictionStats: predictionStats,
            predictionLimiter: .predictions(metrics: metrics),
            frameLimiter: .frames(metrics: metrics),
            frameWriter: FrameWriter(),
            secretReveal: SecretReveal(secret: secret)
        )
    }
}
