// Sign-in rate limits, per username (failed attempts) and per client address (all attempts),
// each over a sliding window. In memory: on a multi-node install each API node limits on
// its own, which still bounds guessing per node.
import Foundation

actor LoginRateLimiter {
    private let limits: LoginLimits
    private var failuresByUsername: [String: [Date]] = [:]
    private var attemptsByAddress: [String: [Date]] = [:]

    init(limits: LoginLimits) {
        self.limits = limits
    }

    /// Records an attempt from `address`; returns the seconds to wait when over a limit.
    /// Refused attempts count towards the address limit too.
    func admit(username: String, address: String, now: Date = Date()) -> Int? {
        let cutoff = now.addingTimeInterval(-limits.window)
        if attemptsByAddress.count > 10_000 { attemptsByAddress = attemptsByAddress.filter { $0.value.contains { $0 > cutoff } } }
        let attempts = attemptsByAddress[address, default: []].filter { $0 > cutoff }
        let failures = failuresByUsername[username, default: []].filter { $0 > cutoff }
        failuresByUsername[username] = failures.isEmpty ? nil : failures
        if attempts.count >= limits.attemptsPerAddress {
            attemptsByAddress[address] = attempts
            return retryAfter(attempts, now: now)
        }
        attemptsByAddress[address] = attempts + [now]
        if failures.count >= limits.failuresPerUsername {
            return retryAfter(failures, now: now)
        }
        return nil
    }

    func recordFailure(username: String, now: Date = Date()) {
        failuresByUsername[username, default: []].append(now)
    }

    func recordSuccess(username: String) {
        failuresByUsername[username] = nil
    }

    private func retryAfter(_ times: [Date], now: Date) -> Int {
        let oldest = times.min() ?? now
        return max(1, Int((oldest.addingTimeInterval(limits.window).timeIntervalSince(now)).rounded(.up)))
    }
}
