// Reads passwords without echo at a terminal, or one per line from standard input with
// --password-stdin, so scripts never put a password on the command line.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum PasswordInput {
    static func read(prompt: String, fromStandardInput: Bool) throws -> String {
        if fromStandardInput || isatty(STDIN_FILENO) == 0 {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIFailure("Expected a password on standard input.")
            }
            return line
        }
        guard let raw = getpass(prompt) else { throw CLIFailure("Could not read the password.") }
        return String(cString: raw)
    }
}
