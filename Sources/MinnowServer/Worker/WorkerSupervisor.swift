// Keeps `--workers N` local `minnow worker` processes running beside the server: starts them
// once the server is up, restarts one that exits unexpectedly (after a pause), and on
// shutdown asks each to hand back its job (SIGTERM), waiting up to 30 s before killing it.
import Foundation
import MinnowCore
import Synchronization
import Vapor

final class WorkerSupervisor: LifecycleHandler, Sendable {
    let count: Int
    let arguments: [String]
    private let state = Mutex<(processes: [Process], stopping: Bool)>(([], false))

    /// - Parameter arguments: what follows `minnow worker` (the database settings).
    init(count: Int, arguments: [String]) {
        self.count = count
        self.arguments = arguments
    }

    func didBootAsync(_ application: Application) async throws {
        for slot in 0..<count { start(slot: slot, logger: application.logger) }
    }

    func shutdownAsync(_ application: Application) async {
        let processes = state.withLock { state in
            state.stopping = true
            return state.processes
        }
        for process in processes where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(30)
        while processes.contains(where: \.isRunning), Date() < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func start(slot: Int, logger: Logger) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["worker"] + arguments
        process.terminationHandler = { [weak self] finished in
            guard let self, !self.state.withLock({ $0.stopping }) else { return }
            logger.warning(
                "worker process exited; restarting it",
                metadata: ["status": "\(finished.terminationStatus)", "slot": "\(slot)"])
            Thread.sleep(forTimeInterval: 1)
            if !self.state.withLock({ $0.stopping }) { self.start(slot: slot, logger: logger) }
        }
        do {
            try process.run()
            state.withLock { state in
                if slot < state.processes.count {
                    state.processes[slot] = process
                } else {
                    state.processes.append(process)
                }
            }
            logger.info("worker process started", metadata: ["pid": "\(process.processIdentifier)", "slot": "\(slot)"])
        } catch {
            logger.error("cannot start a worker process", metadata: ["error": "\(error)"])
        }
    }
}
