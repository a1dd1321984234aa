// `minnow worker`: claims jobs from the database queue one at a time and runs them. While a
// job runs, a heartbeat renews its lease every few seconds and passes on a cancel request;
// on SIGTERM the worker stops the job at the next step and hands it back unfinished (the
// attempt does not count), so a restart loses nothing.
import FluentKit
import Foundation
import Logging
import MinnowCore
import Synchronization

package final class JobWorker: Sendable {
    package let id: String
    package let db: any Database
    package let logger: Logger
    package let queue: JobQueue
    package let pollInterval: Duration
    package let heartbeatInterval: Duration
    private let stopping = Atomic<Bool>(false)

    package static let kinds: [JobKind] = [.train, .evaluate, .firmware]

    package init(
        db: any Database, logger: Logger, leaseSeconds: Double = 15, pollInterval: Duration = .milliseconds(200),
        heartbeatInterval: Duration = .seconds(3)
    ) {
        let host = ProcessInfo.processInfo.hostName
        id = "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
        self.db = db
        var logger = logger
        logger[metadataKey: "worker"] = "\(id)"
        self.logger = logger
        queue = JobQueue(db: db, leaseSeconds: leaseSeconds)
        self.pollInterval = pollInterval
        self.heartbeatInterval = heartbeatInterval
    }

    /// Asks the loop to end: the running job is handed back, no new one is claimed.
    package func stop() { stopping.store(true, ordering: .relaxed) }
    package var isStopping: Bool { stopping.load(ordering: .relaxed) }

    package func run() async {
        logger.notice("worker started", metadata: ["kinds": "\(Self.kinds.map(\.rawValue).joined(separator: ","))"])
        var waitingForSchema = false
        while !isStopping {
            do {
                guard let job = try await queue.claim(worker: id, kinds: Self.kinds) else {
                    try? await Task.sleep(for: pollInterval)
                    continue
                }
                waitingForSchema = false
                await execute(job)
            } catch {
                if !waitingForSchema {
                    logger.warning(
                        "cannot claim jobs yet; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                waitingForSchema = true
                try? await Task.sleep(for: .seconds(1))
            }
        }
        logger.notice("worker stopped")
    }

    private func execute(_ job: Job) async {
        guard let jobID = job.id else { return }
        let control = JobControl()
        let heartbeat = Task { [queue, id, heartbeatInterval, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeatInterval)
                if Task.isCancelled { return }
                if isStopping { control.request(.shutdown) }
                do {
                    switch try await queue.heartbeat(jobID, worker: id) {
                    case .keep: break
                    case .cancel: control.request(.canceled)
                    case .lost: control.request(.leaseLost); return
                    }
                } catch {
                    logger.warning("heartbeat failed", metadata: ["job": "\(jobID)", "error": "\(error)"])
                }
            }
        }
        defer { heartbeat.cancel() }
        let context = JobContext(job: job, worker: self, control: control)
        logger.info(
            "job started", metadata: ["job": "\(jobID)", "kind": "\(job.kind.rawValue)", "attempt": "\(job.attempts)"])
        do {
            switch job.kind {
            case .train: try await TrainJob(context: context).run()
            case .evaluate: try await EvaluateJob(context: context).run()
            case .firmware: try await FirmwareJob(context: context).run()
            case .import: try await context.fail("This worker does not know jobs of kind \(job.kind.rawValue).")
            }
        } catch let stop as JobControl.Stop {
            await handle(stop, context: context)
        } catch is JobQueue.LeaseLost {
            logger.warning("job lease lost; its results were not written", metadata: ["job": "\(jobID)"])
        } catch let failure as JobFailure {
            try? await context.fail(failure.message)
        } catch {
            logger.error("job failed", metadata: ["job": "\(jobID)", "error": "\(String(reflecting: error))"])
            try? await context.fail("The job failed on the worker: \(error). The data is unchanged; see the log.")
        }
        logger.info("job ended", metadata: ["job": "\(jobID)"])
        // A training frees its engine buffers and the project's images on several threads'
        // arenas; without this the worker's RSS grows job after job (see FreedMemory).
        FreedMemory.release(after: "job")
    }

    private func handle(_ stop: JobControl.Stop, context: JobContext) async {
        let jobID = context.jobID
        switch stop.reason {
        case .shutdown:
            try? await context.log("The worker is shutting down; the job goes back to the queue.")
            try? await queue.release(jobID, worker: id)
            try? await context.updateIteration {
                $0.status = .queued; $0.progress = nil
            }
        case .canceled:
            try? await context.end(status: .canceled, message: "Canceled.")
        case .leaseLost:
            logger.warning("job taken over by another worker", metadata: ["job": "\(jobID)"])
        case .none:
            break
        }
    }
}

/// A job that cannot go on, with the reason a person reads.
package struct JobFailure: Error {
    package let message: String
    package init(_ message: String) { self.message = message }
}
