import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Web pages: train, iterations and deploy")
struct WebTrainingTests {
    static let quickForm: [(String, String)] = [
        ("architecture", "tiny-cnn"), ("width", "16"), ("height", "16"), ("colorMode", "grayscale"),
        ("resizeMode", "squash"),
        ("epochs", "3"), ("batchSize", "8"), ("learningRate", "0.005"), ("optimizer", "adam"), ("schedule", "cosine"),
        ("validationFraction", "0"), ("seed", "3"),
    ]

    /// ada's project with the stripes uploaded and one queued iteration (no worker runs it).
    static func queued(_ server: TestServer) async throws -> (token: String, project: String, iteration: String) {
        let token = try await server.signUp("ada")
        let project = try await server.createProject("stripes", token: token)
        try await server.uploadStripes(to: project, token: token, perLabel: 8, testPerLabel: 4)
        let iteration = try #require(try await server.startIteration(project, token: token)["id"] as? String)
        return (token, project, iteration)
    }

    @Test func trainCompareAndDeployThroughThePages() async throws {
        try await TestServer.with(.sqlite) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            let browser = TestBrowser(server)
            try await browser.signIn("ada")
            let empty = try await browser.get("/projects/\(project)/train")
            try await server.uploadStripes(to: project, token: token, perLabel: 12, testPerLabel: 4)

            // act: the form, its validation, then two iterations
            let form = try await browser.get("/projects/\(project)/train")
            let badEpochs = try await browser.post(
                "/projects/\(project)/train", Self.quickForm.filter { $0.0 != "epochs" } + [("epochs", "0")])
            try await browser.get("/projects/\(project)/train")
            let notNumber = try await browser.post(
                "/projects/\(project)/train", Self.quickForm.filter { $0.0 != "batchSize" } + [("batchSize", "many")])
            try await browser.get("/projects/\(project)/train")
            let started = try await browser.post("/projects/\(project)/train", Self.quickForm)
            let location = try #require(started.headers.first(name: "Location"))
            let first = String(try #require(location.split(separator: "/").last?.split(separator: "?").first))
            let live = try await browser.get(location)
            let second = try #require(try await server.startIteration(project, token: token)["id"] as? String)
            try await server.withWorker {
                _ = try await server.waitForIteration(project, first, token: token)
                _ = try await server.waitForIteration(project, second, token: token)
            }
            let trained = try await browser.get("/projects/\(project)/iterations/\(first)")
            let curves = try await browser.get("/projects/\(project)/iterations/\(first)/curves")
            let list = try await browser.get("/projects/\(project)/iterations")
            let compare = try await browser.get("/projects/\(project)/iterations/compare?ids=\(first)&ids=\(second)")
            let compareOne = try await browser.get("/projects/\(project)/iterations/compare?ids=\(first)")

            // check
            #expect(
                empty.status == 200 && empty.text.contains("The dataset cannot train yet")
                    && empty.text.contains("<fieldset disabled>"))
            #expect(
                form.status == 200 && form.text.contains("name=\"epochs\" type=\"text\" value=\"20\""),
                "defaults from the dataset")
            #expect(form.text.contains("Passes over the training images"), "each field is explained")
            #expect(badEpochs.status == 422 && badEpochs.text.contains("id=\"f-epochs-error\">epochs must be 1–500"))
            #expect(
                notNumber.status == 422
                    && notNumber.text.contains("id=\"f-batchSize-error\">The batch size must be a whole number."))
            #expect(started.status == 303 && location.hasSuffix("?notice=training-queued"))
            #expect(
                live.status == 200 && live.text.contains("id=\"live\"")
                    && live.text.contains("data-events=\"/v1/projects/\(project)/iterations/\(first)/events\""))
            #expect(live.text.contains("/iterations/\(first)/cancel"))
            #expect(trained.status == 200 && !trained.text.contains("id=\"live\""), "\(trained.text.prefix(300))")
            #expect(
                trained.text.contains("Confusion matrix") && trained.text.contains("Per class (int8)")
                    && trained.text.contains("Memory per board"))
            #expect(
                trained.text.contains("artifacts/arduino-library") && trained.text.contains("<option value=\"pico\""))
            #expect(curves.status == 200 && curves.text.contains("<svg") && curves.text.contains("<polyline"))
            #expect(
                list.text.contains("Iteration 1") && list.text.contains("Iteration 2")
                    && list.text.contains("name=\"ids\""))
            #expect(
                compare.status == 200 && compare.text.contains("Compare iterations")
                    && compare.text.components(separatedBy: "<polyline").count == 5)
            #expect(compareOne.status == 422 && compareOne.text.contains("Pick two or more"))

            // Publish: a bad name is refused next to the field; the key is shown once and works.
            try await browser.get("/projects/\(project)/deploy")
            let badName = try await browser.post(
                "/projects/\(project)/deploy", [("name", "Not OK"), ("iterationId", first)])
            try await browser.get("/projects/\(project)/deploy")
            let publishedForm = try await browser.post(
                "/projects/\(project)/deploy", [("name", "stripes-web"), ("iterationId", first)])
            let published = try await browser.get("/projects/\(project)/deploy")  // where the form redirects
            let key = try #require(published.text.firstMatch(of: #/id="new-prediction-key">(mnwp_[^<]+)</#)?.1)
                .description
            let answer = try await server.request(
                .POST, "/v1/predict/stripes-web", body: StripeImages.png(horizontal: true, seed: 5),
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            let later = try await browser.get("/projects/\(project)/deploy")
            let rotatedForm = try await browser.post("/projects/\(project)/deploy/stripes-web/rotate", [])
            let rotated = try await browser.get("/projects/\(project)/deploy")
            let oldKey = try await server.request(
                .POST, "/v1/predict/stripes-web", body: StripeImages.png(horizontal: true, seed: 5),
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            try await browser.get("/projects/\(project)/deploy")
            let repointed = try await browser.post(
                "/projects/\(project)/deploy/stripes-web/repoint", [("iterationId", second)])
            try await browser.get("/projects/\(project)/iterations/\(second)")
            let deletePublished = try await browser.post("/projects/\(project)/iterations/\(second)/delete", [])
            try await browser.get("/projects/\(project)/deploy")
            let unpublished = try await browser.post("/projects/\(project)/deploy/stripes-web/unpublish", [])
            try await browser.get("/projects/\(project)/iterations/\(second)")
            let deleted = try await browser.post("/projects/\(project)/iterations/\(second)/delete", [])

            #expect(badName.status == 422 && badName.text.contains("id=\"f-name-error\">A deployment name has"))
            #expect(
                publishedForm.status == 303
                    && publishedForm.headers.first(name: "Location") == "/projects/\(project)/deploy")
            #expect(
                published.status == 200 && published.text.contains("id=\"try-it\"")
                    && published.text.contains("minnow predict stripes-web photo.jpg"))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(!later.text.contains(key) && later.text.contains("stripes-web"), "the key is shown once")
            #expect(
                rotatedForm.status == 303 && rotated.status == 200 && rotated.text.contains("id=\"new-prediction-key\"")
                    && oldKey.status == 401)
            #expect(
                repointed.status == 303
                    && repointed.headers.first(name: "Location")?.hasSuffix("notice=repointed") == true)
            #expect(deletePublished.status == 409 && deletePublished.text.contains("is published as"))
            #expect(unpublished.status == 303 && deleted.status == 303)
            #expect(try await server.count("deployments") == 0)
            #expect(try await server.count("iterations") == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anotherUsersTrainingPagesAreNotFound(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let (_, project, iteration) = try await Self.queued(server)
            let bob = TestBrowser(server)
            try await bob.signUp("bob")
            try await bob.get("/projects")
            // act
            let pages = [
                try await bob.get("/projects/\(project)/train"), try await bob.get("/projects/\(project)/iterations"),
                try await bob.get("/projects/\(project)/iterations/\(iteration)"),
                try await bob.get("/projects/\(project)/iterations/\(iteration)/curves"),
                try await bob.get("/projects/\(project)/iterations/compare?ids=\(iteration)&ids=\(iteration)"),
                try await bob.get("/projects/\(project)/deploy"),
            ]
            try await bob.get("/projects")
            var forms: [TestResponse] = []
            for path in [
                "train", "iterations/\(iteration)/cancel", "iterations/\(iteration)/delete", "deploy",
                "deploy/any/rotate", "deploy/any/unpublish",
            ] {
                forms.append(
                    try await bob.post(
                        "/projects/\(project)/\(path)", Self.quickForm + [("name", "x"), ("iterationId", iteration)]))
                try await bob.get("/projects")
            }
            let ownProject = try await bob.get("/projects/\(project)/iterations/\(UUID().uuidString)")
            // check
            #expect(pages.allSatisfy { $0.status == 404 && $0.text.contains("Not found") }, "\(pages.map(\.status))")
            #expect(forms.allSatisfy { $0.status == 404 }, "\(forms.map(\.status))")
            #expect(ownProject.status == 404)
            #expect(try await server.count("iterations") == 1)
            #expect(try await server.count("deployments") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func trainingFormsNeedTheCSRFToken(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let (token, project, iteration) = try await Self.queued(server)
            let browser = TestBrowser(server)
            try await browser.signIn("ada")
            try await browser.get("/projects/\(project)/train")
            // act
            let train = try await browser.post("/projects/\(project)/train", Self.quickForm, csrf: false)
            let cancel = try await browser.post("/projects/\(project)/iterations/\(iteration)/cancel", [], csrf: false)
            try await browser.get("/projects/\(project)/iterations/\(iteration)")
            let delete = try await browser.post(
                "/projects/\(project)/iterations/\(iteration)/delete", [], origin: "http://evil.example")
            let publish = try await browser.post(
                "/projects/\(project)/deploy", [("name", "x"), ("iterationId", iteration)], csrf: false)
            try await browser.get("/projects/\(project)/iterations/\(iteration)")
            let canceled = try await browser.post("/projects/\(project)/iterations/\(iteration)/cancel", [])
            let page = try await browser.get(canceled.headers.first(name: "Location") ?? "")
            // check
            #expect(
                [train, cancel, delete, publish].allSatisfy { $0.status == 403 && $0.text.contains("Form expired") })
            #expect(
                canceled.status == 303
                    && canceled.headers.first(name: "Location")?.hasSuffix("notice=training-canceled") == true)
            #expect(page.text.contains("Training canceled.") && !page.text.contains("id=\"live\""))
            let stored = try await server.request(.GET, "/v1/projects/\(project)/iterations/\(iteration)", token: token)
            #expect(stored["status"] as? String == "canceled")
            #expect(try await server.count("iterations") == 1)
        }
    }
}
