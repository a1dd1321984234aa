// Testing a trained iteration on images outside its dataset: a zip or another project as a
// job (float and int8 results, unknown labels skipped with the reason), and a quick test of
// one image. Neither adds anything to a dataset.
import BinaryFormats
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Evaluating iterations")
struct EvaluationTests {
    static func evaluationJob(
        _ server: TestServer, _ response: TestResponse, token: String
    ) async throws -> [String: Any] {
        #expect(response.status == 202, "\(response.text)")
        let job = try #require(response["id"] as? String)
        for _ in 0..<600 {
            let got = try await server.request(.GET, "/v1/jobs/\(job)", token: token)
            if ["succeeded", "failed", "canceled"].contains(got["status"] as? String ?? "") { return got.json }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("evaluation did not finish")
        return [:]
    }

    @Test(arguments: TestDatabase.all)
    func evaluatesOnAZipAndOnAnotherProjectWithoutAddingImages(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            let other = try await server.createProject("field photos", token: token)
            try await server.uploadStripes(to: other, token: token, perLabel: 3, testPerLabel: 3, seed: 4_000)
            var zip = ZipWriter()
            var archive = Data()
            for i in 0..<5 {
                archive += zip.entry(
                    name: "across/a\(i).png", content: StripeImages.png(horizontal: true, seed: 7_000 + i))
                archive += zip.entry(
                    name: "down/d\(i).png", content: StripeImages.png(horizontal: false, seed: 7_100 + i))
            }
            archive += zip.entry(name: "diagonal/x.png", content: StripeImages.png(horizontal: true, seed: 7_200))
            archive += zip.entry(name: "notes.txt", content: Data("hello".utf8))
            archive += zip.finish()

            let (fromZip, fromProject) = try await server.withWorker {
                let zipJob = try await Self.evaluationJob(
                    server,
                    try await server.request(
                        .POST, "/v1/projects/\(project)/iterations/\(iteration)/evaluate", token: token, body: archive,
                        headers: [("Content-Type", "application/zip")]), token: token)
                let projectJob = try await Self.evaluationJob(
                    server,
                    try await server.request(
                        .POST, "/v1/projects/\(project)/iterations/\(iteration)/evaluate", token: token,
                        json: ["projectId": other]), token: token)
                return (zipJob, projectJob)
            }

            #expect(
                fromZip["status"] as? String == "succeeded" && fromZip["kind"] as? String == "evaluate", "\(fromZip)")
            let report = try #require(fromZip["result"] as? [String: Any])
            #expect(report["images"] as? Int == 10)
            let skipped = try #require(report["skipped"] as? [[String: Any]])
            #expect(Set(skipped.compactMap { $0["fileName"] as? String }) == ["diagonal/x.png", "notes.txt"])
            let int8 = try #require(report["int8"] as? [String: Any])
            #expect(
                (int8["accuracy"] as? Double ?? 0) >= 0.8
                    && (int8["confusionMatrix"] as? [[Int]])?.flatMap { $0 }.reduce(0, +) == 10)
            #expect((fromProject["result"] as? [String: Any])?["images"] as? Int == 12, "\(fromProject)")

            let images = try await server.request(.GET, "/v1/projects/\(project)/images?perPage=1", token: token)
            #expect((images["metadata"] as? [String: Any])?["total"] as? Int == 64)

            let stranger = try await server.signUp("eve")
            let strangersProject = try await server.createProject("secret", token: stranger)
            let refused = try await server.request(
                .POST, "/v1/projects/\(project)/iterations/\(iteration)/evaluate", token: token,
                json: ["projectId": strangersProject])
            #expect(refused.status == 404)
        }
    }

    @Test
    func aQuickTestAnswersOneImage() async throws {
        try await TestServer.with(.sqlite) { server in
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            let path = "/v1/projects/\(project)/iterations/\(iteration)/quick-test"
            let answer = try await server.request(
                .POST, path, token: token, body: StripeImages.png(horizontal: false, seed: 31),
                headers: [("Content-Type", "image/png")])
            #expect(answer.status == 200 && answer["label"] as? String == "down", "\(answer.text)")
            let bad = try await server.request(
                .POST, path, token: token, body: Data("x".utf8), headers: [("Content-Type", "image/png")])
            #expect(bad.status == 422)
            let anonymous = try await server.request(
                .POST, path, body: StripeImages.png(horizontal: false, seed: 31),
                headers: [("Content-Type", "image/png")])
            #expect(anonymous.status == 401)
        }
    }
}
