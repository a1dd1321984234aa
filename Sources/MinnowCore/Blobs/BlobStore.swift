// Content-addressed blob storage. Images, models and firmware are stored once per distinct
// content (SHA-256), in the database itself so that a backup is one database.
// Nothing counts references: rows that use a blob name it by id, and `collectGarbage`
// deletes every blob that no registered column names (after a grace period that protects
// blobs written moments ago and not yet referenced). Cascading deletes therefore need no
// bookkeeping: delete the rows, collect, and the bytes are gone.
import Crypto
import Foundation

/// The SHA-256 of a blob's content, as 64 lowercase hex digits.
public struct BlobID: Hashable, Sendable, CustomStringConvertible {
    public let hex: String

    public init(content: Data) {
        hex = Hex.string(SHA256.hash(data: content))
    }

    public init?(hex: String) {
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.hex = hex
    }

    public var description: String { hex }
}

/// A table column that holds blob ids; blobs named by none of them are garbage.
public struct BlobReference: Sendable {
    public let table: String
    public let column: String

    public init(table: String, column: String) {
        self.table = table
        self.column = column
    }
}

public protocol BlobStore: Sendable {
    /// Stores the content (once per distinct content) and returns its id.
    @discardableResult
    func put(_ content: Data) async throws -> BlobID
    func get(_ id: BlobID) async throws -> Data?
    /// Deletes unreferenced blobs last written more than `gracePeriod` seconds ago; returns how many.
    @discardableResult
    func collectGarbage(gracePeriod: TimeInterval) async throws -> Int
}

/// Lowercase hexadecimal text of bytes (hashes are formatted on every request; no `String(format:)`).
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    package static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
