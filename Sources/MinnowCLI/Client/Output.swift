// How client commands print: aligned tables for people, JSON for scripts (--json).
import Foundation

enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// One compact JSON object per line (for streams).
    static func jsonLine<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Columns padded to their widest cell; the header row is upper case.
    static func table(_ headers: [String], _ rows: [[String]]) {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        print(line(headers.map { $0.uppercased() }))
        rows.forEach { print(line($0)) }
    }

    /// `key: value` lines for one object.
    static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs {
            print("\((key + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0)) \(value)")
        }
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: false).timeSeparator(.colon).dateSeparator(
                .dash))
    }

    static func pageFooter(page: Int, perPage: Int, total: Int, shown: Int) {
        guard total > shown else { return }
        print("(page \(page) of \(max(1, (total + perPage - 1) / perPage)), \(total) in all; use --page)")
    }
}
