// Comparing a submitted secret with the expected one (a CSRF token, a prediction key's hash)
// in time that depends only on the lengths, never on where the first difference is.
// An empty secret never matches: a missing form field or cookie is not a token.

package enum ConstantTime {
    /// True when `submitted` and `expected` are the same non-empty text (compared as UTF-8).
    package static func matches(_ submitted: String, _ expected: String) -> Bool {
        let x = Array(submitted.utf8), y = Array(expected.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
