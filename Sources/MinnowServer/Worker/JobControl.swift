// How the heartbeat tells a running job to stop. The job's code checks `checkpoint()` (async
// code) or `shouldStop` (the training loop's cancel callback, on the training thread).
import Synchronization

final class JobControl: Sendable {
    enum Reason: Int { case none = 0, shutdown, canceled, leaseLost }

    struct Stop: Error { let reason: Reason }

    private let reason = Atomic<Int>(Reason.none.rawValue)

    func request(_ reason: Reason) {
        _ = self.reason.compareExchange(expected: Reason.none.rawValue, desired: reason.rawValue, ordering: .relaxed)
    }

    var requested: Reason { Reason(rawValue: reason.load(ordering: .relaxed)) ?? .none }
    var shouldStop: Bool { requested != .none }

    /// Throws `Stop` when the job was asked to stop.
    func checkpoint() throws(Stop) {
        if shouldStop { throw Stop(reason: requested) }
    }
}
