// Rules for what people type: usernames, passwords, names. Each returns a message a person
// can act on, or nil when the value is fine.
import Foundation

package enum InputRules {
    package static func username(_ name: String) -> String? {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (3...32).contains(name.count), name.unicodeScalars.allSatisfy(allowed.contains) else {
            return "The username must be 3–32 characters: letters, digits, \".\", \"_\" or \"-\"."
        }
        return nil
    }

    package static func password(_ password: String) -> String? {
        let bytes = password.utf8.count
        if bytes < 8 { return "The password must be at least 8 characters." }
        if bytes > 72 { return "The password must be at most 72 bytes (bcrypt's limit)." }
        return nil
    }

    /// A display name (project, API key): trimmed, 1–`maximum` characters, no control characters.
    package static func name(_ name: String, of thing: String, maximum: Int = 100) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maximum).contains(trimmed.count) else { return "The \(thing) name must be 1–\(maximum) characters." }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            return "The \(thing) name must not contain control characters."
        }
        return nil
    }

    package static func description(_ text: String) -> String? {
        text.count > 2000 ? "The description must be at most 2,000 characters." : nil
    }
}
