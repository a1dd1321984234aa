// Lets requests in flight finish before the server closes its database. Vapor stops accepting
// connections first, but a handler already running keeps going and would then reach for a
// database that is gone (a crash, not an error). The middleware counts requests in flight; at
// shutdown the server waits until none are left, at most `patience`, then closes the rest.
import Synchronization
import Vapor

final class RequestDrain: AsyncMiddleware, LifecycleHandler, Sendable {
    let patience: Duration
    private let inFlight = Mutex(0)

    init(patience: Duration = .seconds(10)) {
        self.patience = patience
    }

    /// Requests whose handler has not answered yet.
    var count: Int { inFlight.withLock { $0 } }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        inFlight.withLock { $0 += 1 }
        defer { inFlight.withLock { $0 -= 1 } }
        return try await next.respond(to: request)
    }

    func shutdownAsync(_ application: Application) async {
        let deadline = ContinuousClock.now + patience
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if count > 0 {
            application.logger.warning("shutting down with requests still running", metadata: ["requests": "\(count)"])
        }
    }
}
