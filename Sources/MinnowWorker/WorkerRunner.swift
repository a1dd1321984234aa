// `minnow worker` as a process: connects to the same database as the server (SQLite file in
// the data directory, or PostgreSQL), runs a `JobWorker` until SIGTERM or SIGINT, then hands
// back its job and exits. It runs at the lowest scheduling priority (nice 19) so that, on a
// machine that also serves the API, requests stay fast while a model trains; with nothing
// else to run it still gets every core.
import Dispatch
import FluentKit
import Foundation
import Logging
import MinnowCore
#if canImport(Glibc)
import Glibc
#endif

public func runWorker(_ config: ServerConfiguration, leaseSeconds: Double = 15) async throws {
    FreedMemory.limitArenas()
    lowerPriority()
    let logger = Logger(label: "minnow.worker")
    try await StandaloneDatabase.with(config, logger: logger, migrate: false) { db in
        let worker = JobWorker(
            db: db, logger: logger, leaseSeconds: leaseSeconds,
            heartbeatInterval: .milliseconds(Int(leaseSeconds * 200)))
        let signals = TerminationSignals.handle { worker.stop() }
        await worker.run()
        signals.forEach { $0.cancel() }
    }
}

/// Nice 19 for every thread of the process (Linux sets priorities per thread; threads started
/// later inherit their creator's).
private func lowerPriority() {
    #if canImport(Glibc)
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for task in tasks.compactMap({ id_t($0) }) {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), task, 19)
    }
    #endif
}
