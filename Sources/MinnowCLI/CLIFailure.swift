// A failure the command line reports as one line, `error: <message>`, with a non-zero exit.
import Foundation

struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    var exitCode: Int32 = 1

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}
