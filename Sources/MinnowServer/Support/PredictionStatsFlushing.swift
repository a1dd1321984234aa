// Starts and stops the prediction counts' periodic flush with the server (`PredictionStats`).
import MinnowCore
import Vapor

struct PredictionStatsFlushing: LifecycleHandler {
    let stats: PredictionStats

    func didBootAsync(_ application: Application) async throws {
        stats.startFlushing(logger: application.logger) { [weak application] in application?.db }
    }

    func shutdownAsync(_ application: Application) async {
        await stats.stopFlushing(on: application.db, logger: application.logger)
    }
}
