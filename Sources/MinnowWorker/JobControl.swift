// How the heartbeat tells a running job to stop. The job's code checks `checkpoint()` (async
// code) or `shouldStop` (the training loop's cancel callback, on the training thread).
import MinnowCore
import Synchronization

package final class JobControl: Sendable {
    package enum Reason: Int { case none = 0, shutdown, canceled, leaseLost }

    package struct Stop: Error { let reason: Reason }

    private let reason = Atomic<Int>(Reason.none.rawValue)

    package func request(_ reason: Reason) {
        _ = self.reason.compareExchange(expected: Reason.none.rawValue, desired: reason.rawValue, ordering: .relaxed)
    }

    package var requested: Reason { Reason(rawValue: reason.load(ordering: .relaxed)) ?? .none }
    package var shouldStop: Bool { requested != .none }

    /// Throws `Stop` when the job was asked to stop.
    package func checkpoint() throws(Stop) {
        if shouldStop { throw Stop(reason: requested) }
    }
}
