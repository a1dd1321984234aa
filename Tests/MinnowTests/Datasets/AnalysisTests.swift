import Foundation
import Testing
import Imaging

@Suite("Dataset analysis")
struct AnalysisTests {
    @Test(arguments: TestDatabase.all)
    func findsTheProblemsBeforeTraining(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            let empty = try await server.request(.GET, "/v1/projects/\(project)/dataset/analysis", token: token)
            #expect(empty["readyToTrain"] as? Bool == false && Self.kinds(empty).contains("empty"))

            _ = try await server.uploadImages(Array(1...20), label: "cat", to: project, token: token)
            _ = try await server.uploadImages([21, 22], label: "dog", to: project, token: token)
            _ = try await server.uploadImages([23], label: nil, to: project, token: token)
            // a near-duplicate: the same picture, re-encoded as JPEG
            let original = TestImages.image(seed: 1, width: 32, height: 24)
            var form = MultipartForm()
            form.addFile(fileName: "again.jpg", type: "image/jpeg", content: try original.jpegData(quality: 92))
            form.addFile(
                fileName: "tiny.png", type: "image/png",
                content: TestImages.png(seed: 40, width: 8, height: 8, channels: 1))
            _ = try await server.upload(form, to: project, token: token, query: "?label=cat")

            let analysis = try await server.request(.GET, "/v1/projects/\(project)/dataset/analysis", token: token)
            #expect(analysis["images"] as? Int == 25 && analysis["unlabelled"] as? Int == 1)
            let kinds = Self.kinds(analysis)
            #expect(
                kinds.contains("too_few_examples") && kinds.contains("unlabelled_images") && kinds.contains("imbalance")
                    && kinds.contains("tiny_images"))
            #expect(analysis["readyToTrain"] as? Bool == false)
            let groups = analysis["nearDuplicates"] as? [[String]] ?? []
            #expect(groups.count == 1 && groups.first?.count == 2, "\(groups)")
            let sizes = analysis["sizes"] as? [[String: Any]] ?? []
            #expect(sizes.first?["width"] as? Int == 32 && sizes.first?["count"] as? Int == 24)
            #expect((analysis["colorModes"] as? [String: Any])?["grayscale"] as? Int == 1)

            _ = try await server.uploadImages(Array(30...40), label: "dog", to: project, token: token)
            let ready = try await server.request(.GET, "/v1/projects/\(project)/dataset/analysis", token: token)
            #expect(ready["readyToTrain"] as? Bool == true, "\(ready.text)")
        }
    }

    static func kinds(_ response: TestResponse) -> [String] {
        (response["problems"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }
}
