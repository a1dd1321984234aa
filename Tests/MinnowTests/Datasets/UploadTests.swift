import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Uploading images")
struct UploadTests {
    @Test(arguments: TestDatabase.all)
    func everyFileIsReportedAndBadOnesLoseNothing(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("cats", token: token)
            let png = TestImages.png(seed: 1), jpeg = TestImages.jpeg(seed: 2),
                gray = TestImages.png(seed: 3, channels: 1)
            var form = MultipartForm()
            form.addField("label", "cat")
            form.addFile(fileName: "one.png", type: "image/png", content: png)
            form.addFile(fileName: "notes.txt", type: "text/plain", content: Data("not an image".utf8))
            form.addFile(fileName: "../../two.jpg", type: "image/jpeg", content: jpeg)
            form.addFile(fileName: "broken.png", type: "image/png", content: png.prefix(png.count / 2))
            form.addFile(fileName: "again.png", type: "image/png", content: png)
            form.addFile(fileName: "gray.png", type: "image/png", content: gray)

            let report = try await server.upload(form, to: project, token: token)

            #expect(report.status == 200, "\(report.text)")
            #expect(
                report["accepted"] as? Int == 3 && report["duplicates"] as? Int == 1 && report["rejected"] as? Int == 2)
            let files = try #require(report["files"] as? [[String: Any]])
            #expect(
                files.map { $0["fileName"] as? String } == [
                    "one.png", "notes.txt", "two.jpg", "broken.png", "again.png", "gray.png",
                ])
            #expect(
                files.map { $0["status"] as? String } == [
                    "accepted", "rejected", "accepted", "rejected", "duplicate", "accepted",
                ])
            #expect((files[1]["reason"] as? String)?.contains("not a JPEG or PNG") == true)
            #expect((files[3]["reason"] as? String)?.contains("corrupt") == true)
            #expect(files[4]["imageId"] as? String == files[0]["imageId"] as? String)

            let id = try #require(files[0]["imageId"] as? String)
            let meta = try await server.request(.GET, "/v1/projects/\(project)/images/\(id)", token: token)
            #expect(meta["label"] as? String == "cat" && meta["width"] as? Int == 32 && meta["height"] as? Int == 24)
            #expect(
                meta["format"] as? String == "png" && meta["colorMode"] as? String == "rgb"
                    && meta["source"] as? String == "upload")
            let content = try await server.request(.GET, "/v1/projects/\(project)/images/\(id)/content", token: token)
            #expect(
                content.status == 200 && content.body == png
                    && content.headers.first(name: "Content-Type") == "image/png")
            let thumbnail = try await server.request(
                .GET, "/v1/projects/\(project)/images/\(id)/thumbnail", token: token)
            #expect(thumbnail.status == 200 && thumbnail.body.prefix(3) == Data([0xFF, 0xD8, 0xFF]))
            let grayID = try #require(files[5]["imageId"] as? String)
            #expect(
                try await server.request(.GET, "/v1/projects/\(project)/images/\(grayID)", token: token)["colorMode"]
                    as? String == "grayscale")
            #expect(try await server.count("images") == 3)
        }
    }

    @Test(arguments: TestDatabase.all)
    func splitsAreExplicitOrStableByContent(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            let automatic = try await server.uploadImages(Array(0..<40), label: "a", to: project, token: token)
            let tests = try await server.uploadImages([100, 101], label: "a", split: "test", to: project, token: token)
            var splits: [String: String] = [:]
            for id in automatic {
                let image = try await server.request(.GET, "/v1/projects/\(project)/images/\(id)", token: token)
                #expect(image["splitAutomatic"] as? Bool == true)
                splits[id] = image["split"] as? String
            }
            let testShare = Double(splits.values.filter { $0 == "test" }.count) / Double(splits.count)
            #expect(testShare > 0.02 && testShare < 0.5, "about 20% go to test: \(testShare)")
            for id in tests {
                let image = try await server.request(.GET, "/v1/projects/\(project)/images/\(id)", token: token)
                #expect(image["split"] as? String == "test" && image["splitAutomatic"] as? Bool == false)
            }
            // The rule depends on content only: another project gives the same answers.
            let other = try await server.createProject("q", token: token)
            let again = try await server.uploadImages(Array(0..<40), label: "a", to: other, token: token)
            for (first, second) in zip(automatic, again) {
                #expect(
                    try await server.request(.GET, "/v1/projects/\(other)/images/\(second)", token: token)["split"]
                        as? String == splits[first])
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func uploadsRespectScopeAndOwnership(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let alice = try await server.signUp("alice")
            let bob = try await server.signUp("bob")
            let project = try await server.createProject("p", token: alice)
            let ids = try await server.uploadImages([1], label: "a", to: project, token: alice)
            let reader = try #require(
                try await server.request(
                    .POST, "/v1/api-keys", token: alice,
                    json: ["name": "r", "projectId": project, "permissions": ["read"]])["key"] as? String)
            let camera = try #require(
                try await server.request(
                    .POST, "/v1/api-keys", token: alice,
                    json: ["name": "c", "projectId": project, "permissions": ["ingest"]])["key"] as? String)
            var form = MultipartForm()
            form.addFile(fileName: "x.png", type: "image/png", content: TestImages.png(seed: 9))
            #expect(try await server.upload(form, to: project, token: bob).status == 404)
            #expect(try await server.upload(form, to: project, token: reader).status == 403)
            #expect(try await server.upload(form, to: project, token: camera).status == 200)
            #expect(
                try await server.request(.GET, "/v1/projects/\(project)/images/\(ids[0])", token: bob).status == 404)
            #expect(
                try await server.request(.GET, "/v1/projects/\(project)/images/\(ids[0])/content", token: bob).status
                    == 404)
            #expect(try await server.request(.GET, "/v1/projects/\(project)/images", token: reader).status == 200)
            #expect(
                try await server.request(.DELETE, "/v1/projects/\(project)/images/\(ids[0])", token: reader).status
                    == 403)
            let badLabel = try await server.upload(form, to: project, token: alice, query: "?label=train")
            #expect(badLabel.status == 422)
        }
    }

    @Test(arguments: TestDatabase.all)
    func deletingTheProjectFreesItsBlobs(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            _ = try await server.uploadImages([1, 2, 3], label: "a", to: project, token: token)
            #expect(try await server.count("blobs") == 6)  // originals and thumbnails
            #expect(try await server.request(.DELETE, "/v1/projects/\(project)", token: token).status == 204)
            #expect(try await server.count("images") == 0)
            await MaintenanceTask.run(
                on: server.app.db, spool: ImportJob.spoolDirectory(dataDirectory: server.config.dataDirectory),
                logger: server.app.logger, gracePeriod: -1)
            #expect(try await server.count("blobs") == 0)
        }
    }
}
