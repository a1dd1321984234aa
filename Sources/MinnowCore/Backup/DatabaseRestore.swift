// Restores a backup file into an empty, migrated database: first reads the whole file to
// check its checksum and row counts (nothing is written from a damaged file), then inserts
// every table in one write transaction (a failure leaves the database empty, as it was).
import Crypto
import FluentKit
import Foundation
import SQLKit

package enum DatabaseRestore {
    /// Restores the file at `path`, already `checked` by `verify`, into `db`, which must have
    /// run this version's migrations.
    package static func restore(
        _ db: any Database, from path: String,
        checked: (header: BackupFormat.Header, summary: BackupSummary)
    ) async throws -> BackupSummary {
        guard let sql = db as? any SQLDatabase else { throw BackupError(description: "restore needs an SQL database") }
        let known = Set(try await BackupSchema.migrations(sql))
        let newer = checked.header.migrations.filter { !known.contains($0) }
        guard newer.isEmpty else {
            throw BackupError(
                description:
                    "the backup comes from a newer minnow (migrations \(newer.joined(separator: ", ")) are unknown here): restore with that version or later"
            )
        }
        for table in BackupSchema.tables {
            let rows =
                try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(
                    column: "n", as: Int.self) ?? 0
            guard rows == 0 else {
                throw BackupError(
                    description:
                        "the target database is not empty (\(table) has \(rows) rows): restore into a new data directory or an empty database"
                )
            }
        }
        try await db.writeTransaction { transaction in
            try await insertRows(from: path, into: transaction as! any SQLDatabase)
        }
        return checked.summary
    }

    /// Reads the file once: header, table sections, and a manifest whose checksum and counts match.
    package static func verify(_ path: String) throws -> (header: BackupFormat.Header, summary: BackupSummary) {
        let reader = try BackupFileReader(path: path)
        guard let first = try reader.nextLine(),
            let header = try? BackupFormat.decoder.decode(BackupFormat.Header.self, from: first),
            header.format == BackupFormat.name
        else {
            throw BackupError(description: "\(path) is not a Minnow backup")
        }
        guard header.version == BackupFormat.version else {
            throw BackupError(
                description:
                    "\(path) is a version \(header.version) backup; this minnow reads version \(BackupFormat.version)")
        }
        var hasher = BackupHasher()
        hasher.add(first)
        var tables: [(name: String, rows: Int)] = []
        var pending: Data?  // the last line read: part of the checksum unless it is the manifest
        while let line = try reader.nextLine() {
            if let previous = pending { hasher.add(previous) }
            pending = line
            if line.first == UInt8(ascii: "[") {
                guard !tables.isEmpty else {
                    throw BackupError(description: "\(path) is damaged: a row before any table")
                }
                tables[tables.count - 1].rows += 1
            } else if let table = try? BackupFormat.decoder.decode(BackupFormat.TableHeader.self, from: line) {
                guard BackupSchema.tables.contains(table.table) else {
                    throw BackupError(
                        description:
                            "the backup has a table this minnow does not know (\(table.table)): restore with a newer version"
                    )
                }
                tables.append((table.table, 0))
            }
        }
        guard let last = pending,
            let manifest = try? BackupFormat.decoder.decode(BackupFormat.Manifest.self, from: last), manifest.end
        else {
            throw BackupError(
                description:
                    "\(path) is incomplete: it ends without its manifest (was the backup interrupted or the file cut short?)"
            )
        }
        let summary = BackupSummary(tables: tables, bytes: hasher.bytes, sha256: hasher.hex)
        guard manifest.sha256 == summary.sha256, manifest.bytes == summary.bytes else {
            throw BackupError(description: "\(path) is damaged: its checksum does not match its contents")
        }
        for (name, rows) in tables where manifest.tables[name] != rows {
            throw BackupError(
                description:
                    "\(path) is damaged: \(name) has \(rows) rows, its manifest says \(manifest.tables[name] ?? 0)")
        }
        return (header, summary)
    }

    /// Bind parameters per statement, under SQLite's limit of 32,766 and PostgreSQL's of 65,535.
    package static let maxBinds = 30_000
    package static let maxBatchBytes = 16 << 20

    private static func insertRows(from path: String, into sql: any SQLDatabase) async throws {
        let reader = try BackupFileReader(path: path)
        _ = try reader.nextLine()  // the header, checked by `verify`
        var section: Section?
        while let line = try reader.nextLine() {
            if line.first == UInt8(ascii: "[") {
                try await section!.add(
                    try BackupFormat.decoder.decode([PortableValue].self, from: line), lineBytes: line.count, sql)
            } else if let table = try? BackupFormat.decoder.decode(BackupFormat.TableHeader.self, from: line) {
                try await section?.flush(sql)
                section = try await Section(table, sql)
            }
        }
        try await section?.flush(sql)
        if !BackupSchema.isSQLite(sql) { try await resetIdentitySequences(sql) }
    }

    /// Rows of one table on their way in, converted from the backup's kinds to the target's.
    private struct Section {
        let table: String
        let columns: [String]
        let sourceKinds: [ColumnKind]
        let targetKinds: [ColumnKind]
        var batch: [[any SQLExpression]] = []
        var batchBytes = 0

        init(_ header: BackupFormat.TableHeader, _ sql: any SQLDatabase) async throws {
            let target = try await BackupSchema.columns(of: header.table, sql)
            table = header.table
            columns = header.columns
            sourceKinds = header.kinds
            targetKinds = try header.columns.map { name in
                guard let column = target.first(where: { $0.name == name }) else {
                    throw BackupError(
                        description: "\(header.table).\(name) from the backup does not exist in this version's schema")
                }
                return column.kind
            }
        }

        mutating func add(_ row: [PortableValue], lineBytes: Int, _ sql: any SQLDatabase) async throws {
            guard row.count == columns.count else {
                throw BackupError(description: "\(table): a row has \(row.count) values for \(columns.count) columns")
            }
            batch.append(
                try row.indices.map { index in
                    do {
                        return try row[index].interpreted(as: sourceKinds[index]).converted(to: targetKinds[index]).bind
                    } catch let error as BackupError {
                        throw BackupError(description: "\(table).\(columns[index]): \(error.description)")
                    }
                })
            batchBytes += lineBytes
            if (batch.count + 1) * columns.count > DatabaseRestore.maxBinds
                || batchBytes > DatabaseRestore.maxBatchBytes
            {
                try await flush(sql)
            }
        }

        mutating func flush(_ sql: any SQLDatabase) async throws {
            guard !batch.isEmpty else { return }
            var insert = sql.insert(into: table).columns(columns)
            for row in batch { insert = insert.values(row) }
            try await insert.run()
            batch.removeAll(keepingCapacity: true)
            batchBytes = 0
        }
    }

    /// PostgreSQL hands out integer ids from a sequence that explicit inserts do not advance.
    private static func resetIdentitySequences(_ sql: any SQLDatabase) async throws {
        for table in BackupSchema.tables
        where try await BackupSchema.columns(of: table, sql).contains(.init(name: "id", kind: .integer)) {
            try await sql.raw(
                """
                SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM \(ident: table)), false)
                """
            ).run()
        }
    }
}

/// SHA-256 and length of the lines a manifest covers (each with its newline).
private struct BackupHasher {
    private var hasher = SHA256()
    private(set) var bytes = 0

    mutating func add(_ line: Data) {
        hasher.update(data: line)
        hasher.update(data: Data([0x0A]))
        bytes += line.count + 1
    }

    var hex: String { Hex.string(hasher.finalize()) }
}
