// The backup file: JSON lines, portable between SQLite and PostgreSQL.
//
//   {"format":"minnow-backup","version":1,"createdAt":…,"source":"sqlite","migrations":[…]}
//   {"table":"users","columns":["id",…],"kinds":["uuid",…]}     one per table, then its rows:
//   ["6F1C…","ada",…]                                            one JSON array per row
//   {"end":true,"tables":{"users":3,…},"bytes":N,"sha256":"…"}   the manifest
//
// Values are written by the column's kind in the source database (a blob as base64, a
// timestamp as seconds since 1970) and converted on restore to the kind the target database
// declares, so a backup of SQLite restores into PostgreSQL and back. The manifest's checksum
// covers every byte before it; a restore checks it before it writes anything.
import Foundation

package enum BackupFormat {
    package static let name = "minnow-backup"
    package static let version = 1

    package struct Header: Codable {
        package var format: String
        package var version: Int
        package var createdAt: Date
        package var source: String
        /// Names of the migrations the source database had run.
        package var migrations: [String]

        package init(format: String, version: Int, createdAt: Date, source: String, migrations: [String]) {
            self.format = format
            self.version = version
            self.createdAt = createdAt
            self.source = source
            self.migrations = migrations
        }
    }

    package struct TableHeader: Codable {
        package var table: String
        package var columns: [String]
        package var kinds: [ColumnKind]

        package init(table: String, columns: [String], kinds: [ColumnKind]) {
            self.table = table
            self.columns = columns
            self.kinds = kinds
        }
    }

    package struct Manifest: Codable {
        package var end: Bool
        /// Rows per table, in the order the tables were written.
        package var tables: [String: Int]
        /// Bytes before the manifest line, and their SHA-256.
        package var bytes: Int
        package var sha256: String

        package init(end: Bool, tables: [String: Int], bytes: Int, sha256: String) {
            self.end = end
            self.tables = tables
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}

/// What a column holds, as far as a backup is concerned.
package enum ColumnKind: String, Codable, Sendable {
    case integer, real, text, blob, uuid, bool, timestamp
}

/// One cell on its way between databases.
package enum PortableValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    case uuid(UUID)
    case bool(Bool)
    case timestamp(Date)
}

public struct BackupError: Error, CustomStringConvertible {
    public var description: String
}

extension PortableValue: Codable {
    /// Written as plain JSON; the table header's kinds say how to read it back.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .integer(let value): try container.encode(value)
        case .real(let value):
            guard value.isFinite else { throw BackupError(description: "a real value is not finite (\(value))") }
            try container.encode(value)
        case .text(let value): try container.encode(value)
        case .blob(let value): try container.encode(value.base64EncodedString())
        case .uuid(let value): try container.encode(value.uuidString)
        case .bool(let value): try container.encode(value)
        case .timestamp(let value): try container.encode(value.timeIntervalSince1970)
        }
    }

    /// Reads a cell without its kind: null, bool, an exact integer, a number or a string.
    /// `interpreted(as:)` then gives it its kind.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .real(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    /// The cell as the source wrote it for a column of `kind`.
    package func interpreted(as kind: ColumnKind) throws -> PortableValue {
        switch (kind, self) {
        case (_, .null): return .null
        case (.integer, .integer), (.real, .real), (.text, .text), (.bool, .bool): return self
        case (.real, .integer(let value)): return .real(Double(value))
        case (.blob, .text(let text)):
            guard let data = Data(base64Encoded: text) else { throw BackupError(description: "a blob is not base64") }
            return .blob(data)
        case (.uuid, .text(let text)):
            guard let uuid = UUID(uuidString: text) else { throw BackupError(description: "\"\(text)\" is not a UUID") }
            return .uuid(uuid)
        case (.timestamp, .integer(let seconds)): return .timestamp(Date(timeIntervalSince1970: Double(seconds)))
        case (.timestamp, .real(let seconds)): return .timestamp(Date(timeIntervalSince1970: seconds))
        default: throw BackupError(description: "a \(kind.rawValue) column holds \(self)")
        }
    }

    /// The value to store in a column the target database declares as `kind` (SQLite keeps
    /// booleans as integers and timestamps as seconds; PostgreSQL has types for both).
    package func converted(to kind: ColumnKind) throws -> PortableValue {
        switch (kind, self) {
        case (_, .null): return .null
        case (.integer, .integer), (.real, .real), (.text, .text), (.blob, .blob), (.uuid, .uuid), (.bool, .bool),
            (.timestamp, .timestamp):
            return self
        case (.integer, .bool(let value)): return .integer(value ? 1 : 0)
        case (.integer, .real(let value)) where value == value.rounded() && abs(value) < 9e15:
            return .integer(Int64(value))
        case (.real, .integer(let value)): return .real(Double(value))
        case (.real, .timestamp(let date)): return .real(date.timeIntervalSince1970)
        case (.bool, .integer(let value)) where value == 0 || value == 1: return .bool(value == 1)
        case (.timestamp, .real(let seconds)): return .timestamp(Date(timeIntervalSince1970: seconds))
        case (.timestamp, .integer(let seconds)): return .timestamp(Date(timeIntervalSince1970: Double(seconds)))
        case (.uuid, .text(let text)):
            guard let uuid = UUID(uuidString: text) else { throw BackupError(description: "\"\(text)\" is not a UUID") }
            return .uuid(uuid)
        case (.text, .uuid(let uuid)): return .text(uuid.uuidString)
        default: throw BackupError(description: "cannot store \(self) in a \(kind.rawValue) column")
        }
    }
}
