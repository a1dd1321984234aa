import Foundation
import Testing

@Suite("Zip import and export")
struct ZipTests {
    /// Builds a zip with Python's zipfile (an independent implementation) from a manifest.
    static func zip(_ manifest: [[String: Any]]) async throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var entries: [[String: Any]] = []
        for (index, item) in manifest.enumerated() {
            var entry = item
            if let content = item["data"] as? Data {
                let file = directory.appendingPathComponent("content\(index)")
                try content.write(to: file)
                entry["data"] = nil
                entry["file"] = file.path
            }
            entries.append(entry)
        }
        let manifestFile = directory.appendingPathComponent("manifest.json"),
            output = directory.appendingPathComponent("out.zip")
        try JSONSerialization.data(withJSONObject: entries).write(to: manifestFile)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/fixtures/make_zip.py")
        let result = try await ExternalProcess.run(
            "/usr/bin/env", ["python3", script.path, manifestFile.path, output.path],
            environment: ["PATH": "/usr/bin:/bin:/usr/local/bin"])
        try #require(result.status == 0, "make_zip.py: \(result.stderr)")
        return try Data(contentsOf: output)
    }

    /// Imports through the job: 202 with a Location, then polling until the job ends. Returns
    /// the import report (status 200) when it succeeded, else the job itself (status 500).
    static func importZip(
        _ data: Data, _ server: TestServer, project: String, token: String
    ) async throws -> TestResponse {
        let accepted = try await server.request(
            .POST, "/v1/projects/\(project)/images/import", token: token, body: data,
            headers: [("Content-Type", "application/zip")])
        guard accepted.status == 202 else { return accepted }
        let location = "/v1/jobs/\(try #require(accepted["id"] as? String))"
        for _ in 0..<600 {
            let job = try await server.request(.GET, location, token: token)
            switch job["status"] as? String {
            case "succeeded":
                let result = try JSONSerialization.data(withJSONObject: try #require(job["result"]))
                return TestResponse(status: 200, headers: job.headers, body: result)
            case "failed":
                return TestResponse(status: 500, headers: job.headers, body: job.body)
            default:
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        Issue.record("the import job did not finish")
        return accepted
    }

    @Test(arguments: TestDatabase.all)
    func exportThenImportReproducesTheDataset(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let source = try await server.createProject("source", token: token)
            _ = try await server.uploadImages([1, 2, 3], label: "cat", split: "train", to: source, token: token)
            _ = try await server.uploadImages([4], label: "cat", split: "test", to: source, token: token)
            _ = try await server.uploadImages([5, 6, 7, 8, 9], label: "dog", to: source, token: token)
            _ = try await server.uploadImages([10], label: nil, to: source, token: token)
            var form = MultipartForm()  // same file name twice in one folder
            form.addFile(fileName: "img1.png", type: "image/png", content: TestImages.png(seed: 11))
            _ = try await server.upload(form, to: source, token: token, query: "?label=dog")

            let export = try await server.request(.GET, "/v1/projects/\(source)/dataset/export", token: token)
            #expect(export.status == 200 && export.headers.first(name: "Content-Type") == "application/zip")
            #expect(export.headers.first(name: "Content-Disposition")?.contains("source.zip") == true)
            let copy = try await server.createProject("copy", token: token)
            let report = try await Self.importZip(export.body, server, project: copy, token: token)
            #expect(report.status == 200, "\(report.text)")
            #expect(report["accepted"] as? Int == 11 && report["rejected"] as? Int == 0, "\(report.text)")

            func fingerprint(_ project: String) async throws -> [String] {
                let page = try await server.request(.GET, "/v1/projects/\(project)/images?perPage=100", token: token)
                return (page["items"] as? [[String: Any]] ?? []).map {
                    "\($0["contentHash"]!) \($0["label"] ?? "-") \($0["split"]!) \($0["splitAutomatic"]!)"
                }.sorted()
            }
            #expect(try await fingerprint(copy) == fingerprint(source))
            let imported = try await server.request(.GET, "/v1/projects/\(copy)/images?source=import", token: token)
            #expect((imported["metadata"] as? [String: Any])?["total"] as? Int == 11)

            let filtered = try await server.request(
                .GET, "/v1/projects/\(source)/dataset/export?label=cat&split=test", token: token)
            let third = try await server.createProject("third", token: token)
            #expect(
                try await Self.importZip(filtered.body, server, project: third, token: token)["accepted"] as? Int == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func hostileArchivesAreContained(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            let good = TestImages.png(seed: 1)
            let inner = try await Self.zip([["name": "cat/x.png", "data": TestImages.png(seed: 2)]])
            let archive = try await Self.zip([
                ["name": "cat/good.png", "data": good],
                ["name": "train/dog/good.jpg", "data": TestImages.jpeg(seed: 3)],
                ["name": "../evil.png", "data": TestImages.png(seed: 4)],
                ["name": "cat/../../evil2.png", "data": TestImages.png(seed: 5)],
                ["name": "/etc/evil3.png", "data": TestImages.png(seed: 6)],
                ["name": "cat/link.png", "symlink": "/etc/passwd"],
                ["name": "cat/inner.zip", "data": inner],
                ["name": "cat/readme.txt", "text": "hello"],
                ["name": "cat/truncated.png", "data": good.prefix(good.count / 2)],
                ["name": "cat/bomb.png", "data": Self.claimedHugePNG()],
                ["name": "cat/zeros.png", "zeros": 15 << 20, "compress": true],
                ["name": "a/b/c/deep.png", "data": TestImages.png(seed: 7)],
                ["name": "train/notes.PNG", "text": "not really a png"],
            ])
            let report = try await Self.importZip(archive, server, project: project, token: token)
            #expect(report.status == 200, "\(report.text)")
            let files = Dictionary(
                uniqueKeysWithValues: (report["files"] as? [[String: Any]] ?? []).map {
                    ($0["fileName"] as! String, $0)
                })
            func reason(_ name: String) -> String { (files[name]?["reason"] as? String) ?? "(accepted or missing)" }
            #expect(files["cat/good.png"]?["status"] as? String == "accepted")
            #expect(files["train/dog/good.jpg"]?["status"] as? String == "accepted")
            #expect(reason("../evil.png").contains(".."))
            #expect(reason("cat/../../evil2.png").contains(".."))
            #expect(reason("/etc/evil3.png").contains("absolute"))
            #expect(reason("cat/link.png").contains("symbolic link"))
            #expect(reason("cat/inner.zip").contains("nested archive"))
            #expect(reason("cat/readme.txt").contains("not an image"))
            #expect(reason("cat/truncated.png").contains("corrupt"))
            #expect(reason("cat/bomb.png").contains("megapixels"))
            #expect(reason("cat/zeros.png").contains("compression ratio"))
            #expect(reason("a/b/c/deep.png").contains("nested too deeply"))
            #expect(reason("train/notes.PNG").contains("not a JPEG or PNG"))
            #expect(report["accepted"] as? Int == 2 && report["entries"] as? Int == 13)
            #expect(try await server.count("images") == 2)
            #expect(
                !FileManager.default.fileExists(atPath: "/tmp/evil.png")
                    && !FileManager.default.fileExists(atPath: "/etc/evil3.png"))

            let notZip = try await Self.importZip(
                Data("definitely not a zip".utf8), server, project: project, token: token)
            #expect(
                notZip.status == 500 && (notZip["error"] as? String)?.contains("not a readable zip") == true,
                "\(notZip.text)")
            #expect(try await server.request(.GET, "/healthz").status == 200)
        }
    }

    /// A PNG whose header claims 60000×60000 pixels (the decompression-bomb shape).
    static func claimedHugePNG() -> Data {
        func crc32(_ data: Data) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in data {
                crc ^= UInt32(byte); for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
            }
            return ~crc
        }
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func chunk(_ type: String, _ body: [UInt8]) {
            withUnsafeBytes(of: UInt32(body.count).bigEndian) { data.append(contentsOf: $0) }
            let typed = Data(type.utf8) + Data(body)
            data.append(typed)
            withUnsafeBytes(of: crc32(typed).bigEndian) { data.append(contentsOf: $0) }
        }
        chunk("IHDR", [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60, 8, 2, 0, 0, 0])
        chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        chunk("IEND", [])
        return data
    }
}

@Suite("Import jobs")
struct ImportJobTests {
    @Test(arguments: TestDatabase.all)
    func jobsReportProgressAndBelongToTheirOwner(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let alice = try await server.signUp("alice")
            let bob = try await server.signUp("bob")
            let project = try await server.createProject("p", token: alice)
            let archive = try await ZipTests.zip(
                (0..<300).map {
                    ["name": "c\($0 % 3)/\($0).png", "data": TestImages.png(seed: $0, width: 16, height: 16)]
                })
            let accepted = try await server.request(
                .POST, "/v1/projects/\(project)/images/import", token: alice, body: archive,
                headers: [("Content-Type", "application/zip")])
            #expect(accepted.status == 202 && accepted["kind"] as? String == "import")
            let location = "/v1/jobs/\(try #require(accepted["id"] as? String))"
            #expect(try await server.request(.GET, location, token: bob).status == 404)
            var final: TestResponse = accepted
            for _ in 0..<600 {
                final = try await server.request(.GET, location, token: alice)
                if final["status"] as? String == "succeeded" || final["status"] as? String == "failed" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(final["status"] as? String == "succeeded")
            let progress = try #require(final["progress"] as? [String: Any])
            #expect(progress["done"] as? Int == 300 && progress["total"] as? Int == 300)
            #expect((final["result"] as? [String: Any])?["accepted"] as? Int == 300)
            #expect(try await server.count("images") == 300)
            let spool = URL(fileURLWithPath: server.config.dataDirectory).appendingPathComponent("spool")
            #expect(
                (try? FileManager.default.contentsOfDirectory(atPath: spool.path))?.isEmpty ?? true,
                "the archive is deleted")
        }
    }
}
