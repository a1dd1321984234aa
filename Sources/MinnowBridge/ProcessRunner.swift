// Runs an external tool (a flasher, objcopy) with a hard timeout: the tool is found on a given
// PATH, spawned in its own process group with stdin from /dev/null and stdout+stderr going to
// one temporary file, and the whole group is killed (TERM, then KILL) when the timeout passes,
// so a tool that forks (a shell script, gdb's helpers) cannot outlive it or hold a pipe open.
// It does not interpret output or exit codes; flashers do.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ProcessResult: Sendable, Equatable {
    /// The exit status, or nil when the tool was killed by a signal (including our timeout).
    public var exitCode: Int32?
    public var timedOut: Bool
    /// stdout and stderr, interleaved as written.
    public var output: String
    public var seconds: Double
}

public enum ProcessRunnerError: Error, Equatable, CustomStringConvertible, Sendable {
    case notFound(tool: String)
    case spawnFailed(tool: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let t): return "\(t) not found on PATH"
        case .spawnFailed(let t, let r): return "cannot start \(t): \(r)"
        }
    }
}

public struct ProcessRunner: Sendable {
    /// The search path for tools given by name (default: this process's PATH).
    public var searchPath: String
    /// Extra environment variables for the tool.
    public var environment: [String: String]

    public init(searchPath: String? = nil, environment: [String: String] = [:]) {
        self.searchPath = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        self.environment = environment
    }

    /// The executable for `tool`: itself when it contains a `/`, else the first match on the path.
    public func locate(_ tool: String) -> String? {
        if tool.contains("/") { return access(tool, X_OK) == 0 ? tool : nil }
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(tool)"
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs `tool` with `arguments`, waiting at most `timeout` seconds.
    public func run(_ tool: String, _ arguments: [String], timeout: Double) throws -> ProcessResult {
        guard let executable = locate(tool) else { throw ProcessRunnerError.notFound(tool: tool) }
        let outPath = NSTemporaryDirectory() + "minnow-tool-\(getpid())-\(UUID().uuidString).log"
        defer { unlink(outPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setpgroup(&attr, 0)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attr, &defaultSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attr, &noSignals)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env = ProcessInfo.processInfo.environment
        env["PATH"] = searchPath
        for (k, v) in environment { env[k] = v }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }

        let start = Deadline.now()
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        guard rc == 0 else { throw ProcessRunnerError.spawnFailed(tool: tool, reason: String(cString: strerror(rc))) }

        let deadline = Deadline(seconds: timeout)
        var status: Int32 = 0
        var timedOut = false
        var reaped = false
        while !reaped {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { reaped = true; break }
            if r < 0 && errno != EINTR { break }
            if deadline.expired { timedOut = true; break }
            usleep(10_000)
        }
        if timedOut {
            kill(-pid, SIGTERM)
            let grace = Deadline(seconds: 1)
            while !grace.expired, waitpid(pid, &status, WNOHANG) != pid { usleep(10_000) }
            kill(-pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
        } else {
            kill(-pid, SIGKILL)  // leftovers of the group (a background child) must not outlive the tool
        }
        let seconds = Double(Deadline.now() - start) / 1e9
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        let exited = (status & 0x7f) == 0
        return ProcessResult(
            exitCode: !timedOut && reaped && exited ? (status >> 8) & 0xff : nil,
            timedOut: timedOut, output: String(decoding: data, as: UTF8.self), seconds: seconds)
    }
}
