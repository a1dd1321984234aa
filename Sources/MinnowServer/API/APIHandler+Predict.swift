// The prediction API: one image (raw body) or a batch (multipart `files`), authenticated by
// the deployment's prediction key, answered by the int8 runtime (the board's arithmetic).
import APITypes
import Crypto
import Foundation
import MinnowCore
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func predict(_ input: Operations.Predict.Input) async throws -> Operations.Predict.Output {
        let start = ContinuousClock.now
        guard
            let entry = try await services.deployments.entry(named: input.path.deployment, on: dependencies.database())
        else {
            return .notFound(.init(body: .json(.notFound("Deployment"))))
        }
        let stats = services.predictionStats
        func failed() { stats.record(entry.deploymentID, milliseconds: 0, failed: true) }
        guard ConstantTime.matches(APIKeySecrets.hash(input.headers.predictionKey), entry.keyHash) else {
            failed()
            return .unauthorized(
                .init(
                    body: .json(
                        .make(code: "unauthorized", message: "The Prediction-Key is not this deployment's key."))))
        }
        let perMinute = services.config.predictionRateLimit
        if let wait = services.predictionLimiter.admit(input.path.deployment, perMinute: perMinute) {
            let error = APIError.tooManyRequests(
                retryAfter: wait,
                "This deployment's key is over its limit of \(perMinute) predictions per minute; try again in \(wait) seconds."
            )
            return .tooManyRequests(.init(headers: .init(retryAfter: wait), body: .json(error.body)))
        }
        let now = dependencies.clock(), today = PredictionQuota.day(of: now)
        if let quota = entry.dailyQuota,
            entry.used(on: today) + stats.answered(entry.deploymentID) - entry.savedBeforeLoad >= quota
        {
            let wait = PredictionQuota.secondsToNextDay(from: now)
            services.metrics.makeCounter(
                descriptor: PredictionQuota.refusals, labels: [("deployment", input.path.deployment)]
            ).increment()
            let error = APIError.quotaExceeded(
                retryAfter: wait,
                "This deployment's key has used its quota of \(quota) predictions for today (UTC); it resets in \(wait) seconds."
            )
            return .tooManyRequests(.init(headers: .init(retryAfter: wait), body: .json(error.body)))
        }
        var files: [(name: String?, data: Data)] = []
        switch input.body {
        case .jpeg(let body), .png(let body), .binary(let body):
            files.append((nil, Data(try await ArraySlice(collecting: body, upTo: Limits.predictionBytes))))
        case .multipartForm(let parts):
            for try await part in parts {
                guard case .files(let file) = part else {
                    // parts are read in order
                    if case .undocumented(let other) = part { try await Self.discard(other.body) }
                    continue
                }
                guard files.count < Limits.imagesPerPrediction else {
                    failed()
                    return .unprocessableContent(
                        .init(body: .json(.invalid("At most \(Limits.imagesPerPrediction) images per request."))))
                }
                files.append(
                    (
                        file.filename,
                        Data(try await ArraySlice(collecting: file.payload.body, upTo: Limits.predictionBytes))
                    ))
            }
        }
        guard !files.isEmpty else {
            failed()
            return .badRequest(
                .init(body: .json(.badRequest("Send an image as the body, or multipart `files` parts."))))
        }
        var predictions: [Components.Schemas.ImagePrediction] = []
        for (index, file) in files.enumerated() {
            do {
                predictions.append(
                    .init(try entry.model.predict(file.data, fileName: file.name, threshold: input.query.threshold)))
            } catch {
                failed()
                let name = file.name ?? (files.count > 1 ? "image \(index + 1)" : "the image")
                return .unprocessableContent(
                    .init(body: .json(.invalid("\(name) is not a readable JPEG or PNG image."))))
            }
        }
        let elapsed = start.duration(to: .now)
        stats.record(
            entry.deploymentID,
            milliseconds: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000,
            failed: false)
        return .ok(
            .init(
                body: .json(
                    .init(
                        deployment: input.path.deployment, iteration: entry.model.iterationNumber,
                        predictions: predictions))))
    }
}
