// `minnow worker` as a process: connects to the same database as the server (SQLite file in
// the data directory, or PostgreSQL), runs a `JobWorker` until SIGTERM or SIGINT, then hands
// back its job and exits. It runs at a lower scheduling priority so that, on a machine that
// also serves the API, requests stay fast while a model trains.
import Dispatch
import Fluent
import Foundation
import Vapor
#if canImport(Glibc)
import Glibc
#endif

public func runWorker(_ config: ServerConfiguration, leaseSeconds: Double = 15) async throws {
    #if canImport(Glibc)
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    #endif
    let app = try await Application.make(Environment(name: "production", arguments: ["minnow"]))
    do {
        try DatabaseSetup.use(config, on: app)
        let worker = JobWorker(db: app.db, logger: app.logger, leaseSeconds: leaseSeconds,
                               heartbeatInterval: .milliseconds(Int(leaseSeconds * 200)))
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { worker.stop() }
            source.resume()
            return source
        }
        await worker.run()
        signals.forEach { $0.cancel() }
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}
