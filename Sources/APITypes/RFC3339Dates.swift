// Dates on the wire: written as RFC 3339 with whole seconds (`2026-12-06T04:10:00Z`), read with
// or without fractional seconds (`…:00.123Z`, as cameras and most clients send them). The
// OpenAPI runtime's default reads only the first form; server and CLI both use this one.
import Foundation
import OpenAPIRuntime

public struct RFC3339Dates: DateTranscoder {
    private let whole = ISO8601DateTranscoder.iso8601
    private let fractional = ISO8601DateTranscoder.iso8601WithFractionalSeconds

    public init() {}

    public func encode(_ date: Date) throws -> String { try whole.encode(date) }

    public func decode(_ text: String) throws -> Date {
        if let date = try? whole.decode(text) { return date }
        return try fractional.decode(text)
    }
}

extension Configuration {
    /// The runtime configuration of Minnow's server and client.
    public static var minnow: Configuration {
        Configuration(dateTranscoder: RFC3339Dates(), jsonEncodingOptions: [.sortedKeys])
    }
}
