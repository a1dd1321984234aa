// What a label may be. Labels become folder names in exported zips, so they may not contain
// slashes or take the names the layout itself uses.
import Foundation

package enum LabelRules {
    package static let reserved: Set<String> = ["train", "test", "_unlabelled"]

    package static func problem(with label: String) -> String? {
        if label.isEmpty || label.count > 64 { return "A label must be 1–64 characters." }
        if label.contains("/") || label.contains("\\") || label.hasPrefix(".") || label.hasPrefix("_") {
            return "A label must not contain slashes or start with \".\" or \"_\" (got \"\(label)\")."
        }
        if label.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            return "A label must not contain control characters."
        }
        if reserved.contains(label.lowercased()) {
            return "\"\(label)\" is reserved for the dataset's folder layout; choose another label."
        }
        return nil
    }
}
