// The server's periodic heap trim (see `FreedMemory`).
import MinnowCore
import Synchronization
import Vapor

/// Trims the server's heap every `interval` (requests free memory on many event-loop and
/// pool threads, hence many arenas; see `FreedMemory`).
final class FreedMemoryTask: LifecycleHandler, Sendable {
    let interval: Duration
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(interval: Duration) { self.interval = interval }

    func didBootAsync(_ application: Application) async throws {
        let interval = self.interval
        let loop = Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                FreedMemory.release(after: "server")
            }
        }
        task.withLock { $0 = loop }
    }

    func shutdownAsync(_ application: Application) async {
        task.withLock { $0?.cancel() }
    }
}
