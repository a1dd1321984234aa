// The long-lived services one server shares between requests, made once in `configure`.
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
