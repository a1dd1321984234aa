import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import OpenAPIRuntime
import Testing

@Suite("Dataset handlers")
struct DatasetHandlerTests {
    @Test func analyzeAndExport() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("Pets!", ownerID: ada.id)
            try await harness.images([1, 2], label: "cat", split: .train, in: pets)
            try await harness.images([3], label: "dog", split: .test, in: pets)
            let id = try pets.requireID().apiString
            // act
            let analysis = try await harness.call(as: ada.credentials) {
                try await $0.analyzeDataset(.init(path: .init(projectId: id)))
            }
            let export = try await harness.call(as: ada.credentials) {
                try await $0.exportDataset(.init(path: .init(projectId: id)))
            }
            let cats = try await harness.call(as: ada.credentials) {
                try await $0.exportDataset(.init(path: .init(projectId: id), query: .init(label: "cat")))
            }
            // check
            let report = try analysis.ok.body.json
            #expect(report.images == 3 && report.labelled == 3 && report.unlabelled == 0)
            #expect(report.labels.map(\.label) == ["cat", "dog"])
            #expect(report.readyToTrain == false)
            #expect(try export.ok.headers.contentDisposition == "attachment; filename=\"Pets.zip\"")
            let zip = try await export.ok.body.applicationZip.bytes
            #expect(zip.prefix(2) == Data("PK".utf8))
            let text = String(decoding: zip, as: UTF8.self)
            #expect(
                text.contains("train/cat/img1.png") && text.contains("train/cat/img2.png")
                    && text.contains("test/dog/img3.png"))
            let catsText = String(decoding: try await cats.ok.body.applicationZip.bytes, as: UTF8.self)
            #expect(catsText.contains("train/cat/img1.png") && !catsText.contains("img3.png"))
        }
    }

    @Test func importRunsAsAJob() async throws {
        try await HandlerHarness.with { harness in
            // setup: the spool directory is a temporary data directory
            let data = FileManager.default.temporaryDirectory.appendingPathComponent(
                "minnow-import-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: data) }
            var config = ServerConfiguration()
            config.dataDirectory = data.path
            let services = MinnowServices(
                config: config, secret: Data(repeating: 7, count: 64), dummyPasswordHash: "unused")
            let importing = HandlerHarness(
                app: harness.app, handler: APIHandler(APIDependencies(app: harness.app, services: services)))
            let ada = try await importing.person("ada")
            let id = try await importing.project("pets", ownerID: ada.id).requireID().apiString
            let zip = HandlerHarness.archive([
                ("cat/a.png", TestImages.png(seed: 1)), ("dog/b.png", TestImages.png(seed: 2)),
                ("notes.txt", Data("hi".utf8)),
            ])
            // act
            let accepted = try await importing.call(as: ada.credentials) {
                try await $0.importImages(.init(path: .init(projectId: id), body: .applicationZip(HTTPBody(zip))))
            }
            let jobID = try accepted.accepted.body.json.id
            var job = try accepted.accepted.body.json
            for _ in 0..<300 where ![.succeeded, .failed].contains(job.status) {
                try await Task.sleep(for: .milliseconds(50))
                job = try await importing.call(as: ada.credentials) {
                    try await $0.getJob(.init(path: .init(jobId: jobID)))
                }.ok.body.json
            }
            let images = try await importing.call(as: ada.credentials) {
                try await $0.listImages(.init(path: .init(projectId: id), query: .init(sort: .fileName)))
            }
            // check
            #expect(try accepted.accepted.body.json.kind == ._import)
            #expect(job.status == .succeeded, "\(job)")
            #expect(
                try images.ok.body.json.items.map { [$0.fileName, $0.label] } == [["a.png", "cat"], ["b.png", "dog"]])
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("spool").path).isEmpty,
                "the finished import deleted its archive")
        }
    }

    @Test func anotherUsersDatasetIsNotFoundAndKeysNeedPermissions() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.project("secret", ownerID: alice.id)
            try await harness.images([1], label: "cat", in: secret)
            let reader = try await harness.key([.read], for: secret, ownerID: alice.id)
            let uploader = try await harness.key([.ingest], for: secret, ownerID: alice.id)
            let id = try secret.requireID().apiString
            let zip = HandlerHarness.archive([("cat/a.png", TestImages.png(seed: 1))])
            // act
            let analysis = try await harness.call(as: bob.credentials) {
                try await $0.analyzeDataset(.init(path: .init(projectId: id)))
            }
            let export = try await harness.call(as: bob.credentials) {
                try await $0.exportDataset(.init(path: .init(projectId: id)))
            }
            let imported = try await harness.call(as: bob.credentials) {
                try await $0.importImages(.init(path: .init(projectId: id), body: .applicationZip(HTTPBody(zip))))
            }
            let readerImport = try await harness.call(as: reader) {
                try await $0.importImages(.init(path: .init(projectId: id), body: .applicationZip(HTTPBody(zip))))
            }
            let readerAnalysis = try await harness.call(as: reader) {
                try await $0.analyzeDataset(.init(path: .init(projectId: id)))
            }
            let uploaderExport = try await harness.call(as: uploader) {
                try await $0.exportDataset(.init(path: .init(projectId: id)))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.exportDataset(.init(path: .init(projectId: id)))
            }
            // check
            #expect(try analysis.notFound.body.json.error.message == "Project not found.")
            #expect(try export.notFound.body.json.error.message == "Project not found.")
            #expect(try imported.notFound.body.json.error.message == "Project not found.")
            #expect(
                try readerImport.forbidden.body.json.error.message == "This API key lacks the \"ingest\" permission.")
            #expect(try readerAnalysis.ok.body.json.images == 1)
            #expect(
                try uploaderExport.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            _ = try anonymous.unauthorized
        }
    }
}
