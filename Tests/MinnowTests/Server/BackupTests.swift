// Backup and restore: a backup taken while an import and a training run are under way
// restores into an empty SQLite data directory or PostgreSQL database (either from either),
// backs up again to the same contents, and serves the same images, iterations, artifacts and
// deployments. Damaged, cut-short and foreign files are refused before anything is written.
import Crypto
import Fluent
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import SQLKit
import Testing

/// Which database a backup comes from and which one it is restored into.
struct BackupRoute: Sendable, CustomTestStringConvertible {
    let source: TestDatabase
    let target: TestDatabase

    var testDescription: String { "\(source.rawValue) → \(target.rawValue)" }

    static var all: [BackupRoute] {
        guard TestDatabase.all.contains(.postgres) else { return [BackupRoute(source: .sqlite, target: .sqlite)] }
        return [
            .init(source: .sqlite, target: .sqlite), .init(source: .sqlite, target: .postgres),
            .init(source: .postgres, target: .sqlite),
        ]
    }
}

@Suite("Backup and restore")
struct BackupTests {
    /// What the source server served before the backup, to compare with the restored one.
    struct Served: Sendable {
        let project: String, iteration: String, predictionKey: String
        let predictions: Data, tflite: Data
        /// A camera, its key, and a frame it posted (an observation with sightings).
        let camera: String, cameraKey: String, observation: String, frame: Data
        let imagesBefore: Int
        let backup: BackupSummary
    }

    static func scratch(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("minnow-\(name)-\(UUID().uuidString)")
    }

    @Test(arguments: BackupRoute.all)
    func backupDuringImportAndTrainingRestoresIntact(route: BackupRoute) async throws {
        // setup: a trained, deployed project; then an import of 600 images and a second training run
        let file = Self.scratch("backup").path, again = Self.scratch("again").path,
            restoredDirectory = Self.scratch("restored")
        defer { [file, again, restoredDirectory.path].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let zip = try await LargeImportTests.fashionZip(count: 600)
        let probe = StripeImages.png(horizontal: true, seed: 77)
        let served: Served = try await TestServer.with(route.source) { server in
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            let published = try await server.request(
                .POST, "/v1/projects/\(project)/deployments", token: token,
                json: ["name": "stripes-v1", "iterationId": iteration])
            let key = try #require(published["predictionKey"] as? String)
            let answer = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: probe,
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            let tflite = try await server.request(
                .GET, "/v1/projects/\(project)/iterations/\(iteration)/artifacts/tflite", token: token)
            try #require(answer.status == 200 && tflite.status == 200)
            let (camera, cameraKey, _) = try await CameraWorld.addCamera(
                "porch", to: project, deployment: "stripes-v1", token: token, server: server)
            let frame = StripeImages.png(horizontal: false, seed: 4_321)
            let observed = try await server.request(
                .POST, "/v1/projects/\(project)/devices/\(camera)/frames?capturedAt=2026-01-02T03:04:05Z",
                token: cameraKey, body: frame, headers: [("Content-Type", "image/png")])
            let observation = try #require(observed["id"] as? String, "\(observed.text)")
            let imagesBefore = try await server.count("images")
            // act: back up once both jobs are running
            let summary = try await server.withWorker {
                let importing = try await server.request(
                    .POST, "/v1/projects/\(project)/images/import", token: token, body: zip,
                    headers: [("Content-Type", "application/zip")])
                let second = try #require(try await server.startIteration(project, token: token)["id"] as? String)
                let importJob = try #require(importing["id"] as? String)
                try await Self.waitUntilRunning(server, token: token, job: importJob, iteration: (project, second))
                let summary = try await DatabaseBackup.write(server.app.db, to: file)
                _ = try await server.waitForIteration(project, second, token: token)
                return summary
            }
            return Served(
                project: project, iteration: iteration, predictionKey: key,
                predictions: try Self.predictions(answer.body),
                tflite: tflite.body, camera: camera, cameraKey: cameraKey, observation: observation, frame: frame,
                imagesBefore: imagesBefore, backup: summary)
        }
        var target = ServerConfiguration()
        target.dataDirectory = restoredDirectory.path
        target.databaseURL = try await TestServer.freshDatabaseURL(for: route.target)
        let restored = try await Backups.restore(target, from: file)
        let rebackup = try await Backups.backup(target, to: again)

        // check: the same rows (up to each database's way of storing booleans and times)
        let backedUp = try BackupContents(file), restoredContents = try BackupContents(again)
        print(
            "backup (\(route.testDescription)): \(served.backup.rows) rows, \(served.backup.bytes) bytes; "
                + "jobs in it: \(backedUp.column("jobs", "kind").map { "\($0)" }) \(backedUp.column("jobs", "status").map { "\($0)" })"
        )
        #expect(restored.tables.map(\.name) == served.backup.tables.map(\.name))
        #expect(restored.tables.map(\.rows) == served.backup.tables.map(\.rows))
        #expect(rebackup.tables.map(\.rows) == served.backup.tables.map(\.rows))
        #expect(backedUp.differences(from: restoredContents) == [])
        #expect(backedUp.rows("images") >= served.imagesBefore)
        #expect(backedUp.column("jobs", "status").contains(.text("running")), "the backup was taken while jobs ran")
        // and the restored server serves it
        try await TestServer.with(
            route.target,
            configure: {
                $0.dataDirectory = target.dataDirectory; $0.databaseURL = target.databaseURL
            }
        ) { server in
            let token = try await server.signIn("ada")
            let images = try await server.request(.GET, "/v1/projects/\(served.project)/images?limit=1", token: token)
            #expect(images.status == 200)
            #expect(try await server.count("images") == backedUp.rows("images"))
            let iteration = try await server.request(
                .GET, "/v1/projects/\(served.project)/iterations/\(served.iteration)", token: token)
            #expect(iteration["status"] as? String == "succeeded")
            let tflite = try await server.request(
                .GET, "/v1/projects/\(served.project)/iterations/\(served.iteration)/artifacts/tflite", token: token)
            #expect(tflite.status == 200 && tflite.body == served.tflite)
            let answer = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: probe,
                headers: [("Prediction-Key", served.predictionKey), ("Content-Type", "image/png")])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(try Self.predictions(answer.body) == served.predictions)
            // the camera's key still posts, and what it saw before is found with its frame and time
            let sightings = try await server.request(
                .GET, "/v1/projects/\(served.project)/sightings?deviceId=\(served.camera)", token: token)
            #expect(
                sightings.items.first?["observationId"] as? String == served.observation
                    && sightings.items.first?["seenAt"] as? String == "2026-01-02T03:04:05Z",
                "\(sightings.text)")
            let frame = try await server.request(
                .GET, "/v1/projects/\(served.project)/observations/\(served.observation)/frame", token: token)
            #expect(frame.status == 200 && frame.body == served.frame)
            let posted = try await server.request(
                .POST, "/v1/projects/\(served.project)/devices/\(served.camera)/frames", token: served.cameraKey,
                body: served.frame, headers: [("Content-Type", "image/png")])
            #expect(posted.status == 201, "\(posted.text)")
            let sql = try #require(server.app.db as? any SQLDatabase)
            for row in try await sql.raw("SELECT id, content FROM blobs").all() {
                let id = try row.decode(column: "id", as: String.self),
                    content = try row.decode(column: "content", as: Data.self)
                #expect(Hex.string(SHA256.hash(data: content)) == id, "blob \(id) arrived intact")
            }
            let orphans = try await sql.raw(
                "SELECT COUNT(*) AS n FROM images WHERE blob_id NOT IN (SELECT id FROM blobs)"
            ).first()
            #expect(try orphans?.decode(column: "n", as: Int.self) == 0)
            // new rows get fresh ids after the restored ones (PostgreSQL's sequences were moved on)
            let events = backedUp.rows("job_events")
            try await sql.raw(
                "INSERT INTO job_events (job_id, kind, payload, created_at) SELECT id, 'probe', '{}', created_at FROM jobs LIMIT 1"
            ).run()
            #expect(try await server.count("job_events") == events + 1)
        }
    }

    @Test func commandLineBacksUpAndRestores() async throws {
        // setup: a data directory with a user and three images
        let source = Self.scratch("source"), target = Self.scratch("target"), file = Self.scratch("backup")
        defer { [source, target, file].forEach { try? FileManager.default.removeItem(at: $0) } }
        try await TestServer.with(.sqlite, configure: { $0.dataDirectory = source.path }) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            _ = try await server.uploadImages([1, 2, 3], label: "cat", to: project, token: token)
        }
        // act
        let backup = try await MinnowProcess.run(
            ["backup", "--data-dir", source.path, "-o", file.path], environment: [:])
        let restore = try await MinnowProcess.run(["restore", "--data-dir", target.path, file.path], environment: [:])
        let again = try await MinnowProcess.run(["restore", "--data-dir", target.path, file.path], environment: [:])
        // check
        #expect(
            backup.status == 0 && backup.stdout.hasPrefix("backed up ")
                && backup.stdout.contains(" rows of \(BackupSchema.tables.count) tables"), "\(backup)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "the backup is readable by its owner only")
        #expect(restore.status == 0 && restore.stdout.contains("  images: 3\n"), "\(restore)")
        #expect(
            again.status == 1 && again.stderr.contains("restore failed: the target database is not empty"), "\(again)")
    }

    @Test(arguments: TestDatabase.all)
    func everyTableTheMigrationsCreateIsBackedUp(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let sql = try #require(server.app.db as? any SQLDatabase)
            let tables = try await BackupSchema.existingTables(sql).subtracting([BackupSchema.migrationsTable])
            #expect(tables == Set(BackupSchema.tables))
            // every column has a kind
            for table in BackupSchema.tables { _ = try await BackupSchema.columns(of: table, sql) }
        }
    }

    @Test func damagedShortForeignAndOccupiedAreRefusedWithoutWriting() async throws {
        // setup: a small backup
        let file = Self.scratch("backup").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await TestServer.with(.sqlite) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            _ = try await server.uploadImages([1, 2, 3], label: "cat", to: project, token: token)
            _ = try await DatabaseBackup.write(server.app.db, to: file)
            // never overwrites
            await #expect(throws: BackupError.self) { try await DatabaseBackup.write(server.app.db, to: file) }
        }
        let good = try Data(contentsOf: URL(fileURLWithPath: file))
        var damaged = good
        let middle = try #require(damaged.indices.dropFirst(good.count / 2).first { damaged[$0] == UInt8(ascii: "a") })
        damaged[middle] = UInt8(ascii: "b")
        let cases: [(String, Data, String)] = [
            ("damaged", damaged, "is damaged: its checksum does not match"),
            ("cut short", good.prefix(good.count * 2 / 3), "is incomplete"),
            ("not a backup", Data("{\"hello\":1}\n".utf8), "is not a Minnow backup"),
        ]
        for (name, content, message) in cases {
            let copy = Self.scratch(name), directory = Self.scratch("target")
            defer { try? FileManager.default.removeItem(at: copy); try? FileManager.default.removeItem(at: directory) }
            try content.write(to: copy)
            var target = ServerConfiguration()
            target.dataDirectory = directory.path
            // act
            let error = await #expect(throws: BackupError.self) { try await Backups.restore(target, from: copy.path) }
            // check
            #expect(error?.description.contains(message) == true, "\(name): \(error?.description ?? "no error")")
            #expect(!FileManager.default.fileExists(atPath: target.sqliteFile), "\(name): nothing written")
        }
        let directory = Self.scratch("target")
        defer { try? FileManager.default.removeItem(at: directory) }
        var target = ServerConfiguration()
        target.dataDirectory = directory.path
        let restored = try await Backups.restore(target, from: file)
        #expect(restored.tables.first { $0.name == "images" }?.rows == 3)
        let occupied = await #expect(throws: BackupError.self) { try await Backups.restore(target, from: file) }
        #expect(
            occupied?.description.contains("the target database is not empty (users has 1 rows)") == true,
            "\(occupied?.description ?? "")")
    }

    /// Waits until the import job and the iteration both report that they are running.
    static func waitUntilRunning(
        _ server: TestServer, token: String, job: String, iteration: (String, String)
    ) async throws {
        for _ in 0..<600 {
            let importing = try await server.request(.GET, "/v1/jobs/\(job)", token: token)["status"] as? String
            let training =
                try await server.request(.GET, "/v1/projects/\(iteration.0)/iterations/\(iteration.1)", token: token)[
                    "status"] as? String
            if importing == "running" && training == "running" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the import and the training never ran at the same time")
    }

    /// The predictions of an answer, re-serialised with sorted keys (the answer's other fields vary).
    static func predictions(_ body: Data) throws -> Data {
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        return try JSONSerialization.data(withJSONObject: try #require(object["predictions"]), options: [.sortedKeys])
    }
}

/// A backup file's rows, read independently of the restore code's conversions: booleans as
/// 0/1, times and UUIDs as numbers and text, so SQLite and PostgreSQL backups compare.
struct BackupContents {
    var tables: [String: [[String: PortableValue]]] = [:]

    init(_ path: String) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        var table = "", columns: [String] = [], kinds: [ColumnKind] = []
        for line in lines.dropFirst().dropLast() {
            let data = Data(line.utf8)
            if line.first == "[" {
                let values = try BackupFormat.decoder.decode([PortableValue].self, from: data)
                var row: [String: PortableValue] = [:]
                for (index, value) in values.enumerated() {
                    row[columns[index]] = Self.normalised(try value.interpreted(as: kinds[index]))
                }
                tables[table, default: []].append(row)
            } else {
                let header = try BackupFormat.decoder.decode(BackupFormat.TableHeader.self, from: data)
                (table, columns, kinds) = (header.table, header.columns, header.kinds)
                tables[table] = []
            }
        }
    }

    static func normalised(_ value: PortableValue) -> PortableValue {
        switch value {
        case .bool(let flag): return .integer(flag ? 1 : 0)
        case .timestamp(let date): return .real(date.timeIntervalSince1970)
        case .uuid(let uuid): return .text(uuid.uuidString)
        default: return value
        }
    }

    func rows(_ table: String) -> Int { tables[table]?.count ?? 0 }

    func column(_ table: String, _ name: String) -> [PortableValue] { (tables[table] ?? []).map { $0[name] ?? .null } }

    /// Rows that differ, table by table (rows matched by their first column's value; reals
    /// within a microsecond, PostgreSQL's time resolution).
    func differences(from other: BackupContents) -> [String] {
        var found: [String] = []
        for (table, rows) in tables.sorted(by: { $0.key < $1.key }) {
            let theirs = other.tables[table] ?? []
            guard rows.count == theirs.count else {
                found.append("\(table): \(rows.count) vs \(theirs.count) rows"); continue
            }
            let key = rows.first.map { Self.key(of: $0) } ?? { _ in "" }
            let ours = rows.sorted { key($0) < key($1) }, sortedTheirs = theirs.sorted { key($0) < key($1) }
            for (a, b) in zip(ours, sortedTheirs) where !Self.same(a, b) {
                found.append("\(table): \(a) vs \(b)")
                break
            }
        }
        return found
    }

    private static func key(of row: [String: PortableValue]) -> ([String: PortableValue]) -> String {
        let column = row.keys.contains("id") ? "id" : row.keys.sorted()[0]
        return { "\($0[column] ?? .null)" }
    }

    private static func same(_ a: [String: PortableValue], _ b: [String: PortableValue]) -> Bool {
        guard a.keys.sorted() == b.keys.sorted() else { return false }
        return a.allSatisfy { column, value in
            switch (value, b[column]!) {
            case (.real(let x), .real(let y)): return abs(x - y) <= 1e-6 * max(1, abs(x) / 1e9)
            case (.real(let x), .integer(let y)), (.integer(let y), .real(let x)): return abs(x - Double(y)) <= 1e-6
            default: return value == b[column]!
            }
        }
    }
}
