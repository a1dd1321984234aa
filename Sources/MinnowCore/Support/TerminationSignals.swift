// SIGINT and SIGTERM as events instead of the default exit, for processes that stop
// gracefully (`minnow worker` hands its job back; `minnow emulator` cleans up qemu).
import Dispatch
import Foundation

public enum TerminationSignals {
    /// Runs `action` on SIGINT or SIGTERM until the returned sources are cancelled.
    public static func handle(_ action: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }
}
