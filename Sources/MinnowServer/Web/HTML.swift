// A small HTML builder: string interpolation that escapes by default. Literals in the
// source are trusted markup; every interpolated `String` (or number) is escaped for text
// and double-quoted attribute values; only another `HTML` value is inserted as markup.
// Attributes must always be written in double quotes.
import Foundation
import MinnowCore

struct HTML: ExpressibleByStringInterpolation, Sendable {
    let rendered: String

    init(stringLiteral value: String) { rendered = value }
    init(stringInterpolation: StringInterpolation) { rendered = stringInterpolation.output }
    init(unsafeRaw markup: String) { rendered = markup }

    static let empty: HTML = ""

    struct StringInterpolation: StringInterpolationProtocol {
        var output = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            output.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }
        mutating func appendLiteral(_ literal: String) { output += literal }
        mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        mutating func appendInterpolation(_ text: String?) { output += HTML.escape(text ?? "") }
        mutating func appendInterpolation<Value: CustomStringConvertible>(_ value: Value) {
            output += HTML.escape(value.description)
        }
        mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        mutating func appendInterpolation(_ html: HTML?) { output += html?.rendered ?? "" }
        mutating func appendInterpolation(_ list: [HTML]) { for html in list { output += html.rendered } }
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `html` when `condition` holds, else nothing.
    static func when(_ condition: Bool, _ html: @autoclosure () -> HTML) -> HTML { condition ? html() : .empty }
}

/// Query strings for links: `path?name=value&...`, values percent-encoded, nil values left out.
func link(_ path: String, _ query: [(String, String?)] = []) -> String {
    let items = query.compactMap { name, value in value.map { "\(percentEncoded(name))=\(percentEncoded($0))" } }
    return items.isEmpty ? path : path + "?" + items.joined(separator: "&")
}

private let unreservedInQuery = CharacterSet(
    charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")

func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: unreservedInQuery) ?? ""
}
