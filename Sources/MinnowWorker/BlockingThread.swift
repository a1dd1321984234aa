// Runs long, CPU-bound, blocking work (training) on a thread of its own, so it never holds
// one of the few threads of Swift's cooperative pool that heartbeats and I/O need.
import Foundation
import MinnowCore

package enum BlockingThread {
    package static func run<T: Sendable>(_ body: @Sendable @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
