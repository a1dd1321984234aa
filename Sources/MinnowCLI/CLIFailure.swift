// A failure the command line reports as one line, `error: <message>`, with a non-zero exit.
import Foundation

struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    var exitCode: Int32 = 1
    /// The HTTP status of the server's refusal; nil when the server was not reached or no request was made.
    var status: Int?
    /// The server's `Retry-After` (seconds) on a 429 or 503.
    var retryAfter: TimeInterval?

    init(_ message: String, exitCode: Int32 = 1, status: Int? = nil, retryAfter: TimeInterval? = nil) {
        self.message = message
        self.exitCode = exitCode
        self.status = status
        self.retryAfter = retryAfter
    }

    var description: String { message }
}
