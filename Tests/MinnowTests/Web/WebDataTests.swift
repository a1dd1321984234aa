import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Web pages: data, labels and analysis")
struct WebDataTests {
    @Test(arguments: TestDatabase.all)
    func theGridFiltersAndChangesSelectedImages(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("pets", token: token)
            let cats = try await server.uploadImages([1, 2, 3], label: "cat", to: project, token: token)
            _ = try await server.uploadImages([4], label: nil, to: project, token: token)
            let browser = TestBrowser(server)
            try await browser.signIn("ada")
            // act
            let grid = try await browser.get("/projects/\(project)/images")
            let relabel = try await browser.post(
                "/projects/\(project)/images/batch?label=cat",
                [("ids[]", cats[0]), ("ids[]", cats[1]), ("action", "relabel"), ("label", "dog")])
            let dogs = try await browser.get("/projects/\(project)/images?label=dog")
            let badLabel = try await browser.post(
                "/projects/\(project)/images/batch", [("ids[]", cats[2]), ("action", "relabel"), ("label", "_bad")])
            try await browser.get("/projects/\(project)/images")
            let moved = try await browser.post(
                "/projects/\(project)/images/batch", [("ids[]", cats[2]), ("action", "move"), ("split", "test")])
            let unlabelled = try await browser.get("/projects/\(project)/images?unlabelled=1")
            let tests = try await browser.get("/projects/\(project)/images?split=test")
            // check
            #expect(grid.status == 200 && grid.text.components(separatedBy: "class=\"tile\"").count == 5)
            #expect(grid.text.contains("/v1/projects/\(project)/images/\(cats[0])/thumbnail"))
            #expect(
                relabel.status == 303
                    && relabel.headers.first(name: "Location")
                        == "/projects/\(project)/images?label=cat&notice=relabelled&n=2"
            )
            #expect(
                dogs.text.components(separatedBy: "class=\"tile\"").count == 3
                    && dogs.text.contains("Relabelled") == false)
            #expect(badLabel.status == 422 && badLabel.text.contains("id=\"f-label-error\""))
            #expect(
                badLabel.text.contains("value=\"\(cats[2])\" form=\"batch\" aria-label=\"Select img3.png\" checked"),
                "the selection survives an error")
            #expect(moved.status == 303)
            #expect(unlabelled.text.components(separatedBy: "class=\"tile\"").count == 2)
            #expect(tests.text.contains(cats[2]))
            let api = try await server.request(.GET, "/v1/projects/\(project)/images?label=dog", token: token)
            #expect((api["items"] as? [Any])?.count == 2)
        }
    }

    @Test func labelsAnalysisUploadAndExportPages() async throws {
        try await TestServer.with(.sqlite) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("pets", token: token)
            _ = try await server.uploadImages(Array(1...6), label: "cat", to: project, token: token)
            _ = try await server.uploadImages([7, 8], label: "dgo", to: project, token: token)
            _ = try await server.uploadImages([9], label: nil, to: project, token: token)
            let browser = TestBrowser(server)
            try await browser.signIn("ada")
            // act
            let labels = try await browser.get("/projects/\(project)/labels")
            let renamed = try await browser.post(
                "/projects/\(project)/labels/rename", [("label", "dgo"), ("name", "dog")])
            try await browser.get("/projects/\(project)/labels")
            let invalid = try await browser.post(
                "/projects/\(project)/labels/rename", [("label", "dog"), ("name", "train")])
            let analysis = try await browser.get("/projects/\(project)/analysis")
            let upload = try await browser.get("/projects/\(project)/upload")
            let export = try await server.request(
                .GET, "/v1/projects/\(project)/dataset/export", headers: [("Cookie", browser.cookieHeader)])
            try await browser.get("/projects/\(project)/labels")
            let deleted = try await browser.post(
                "/projects/\(project)/labels/delete", [("label", "dog"), ("images", "delete")])
            // check
            #expect(labels.status == 200 && labels.text.contains(">dgo</a>"))
            #expect(renamed.status == 303)
            #expect(invalid.status == 422 && invalid.text.contains("is reserved"))
            #expect(analysis.status == 200 && analysis.text.contains("<svg class=\"chart\""))
            #expect(
                analysis.text.contains("<strong>Unlabelled Images</strong>")
                    && analysis.text.contains("images?unlabelled=1"))
            #expect(analysis.text.contains("images?label=dog"), "too few examples links to the label")
            #expect(
                upload.status == 200
                    && upload.text.contains(
                        "id=\"dropzone\" class=\"dropzone\" data-images-url=\"/v1/projects/\(project)/images\"")
            )
            #expect(export.status == 200 && export.body.prefix(2) == Data("PK".utf8))
            #expect(deleted.status == 303)
            #expect(try await server.count("images") == 7)
        }
    }

    @Test func assetsAreServedAndUnknownPagesAreNotFound() async throws {
        try await TestServer.with(.sqlite) { server in
            let script = try await server.request(.GET, "/assets/app.js")
            let style = try await server.request(.GET, "/assets/app.css")
            let home = try await TestBrowser(server).get("/")
            let projects = try await TestBrowser(server).get("/projects")
            #expect(
                script.status == 200 && script.headers.first(name: "Content-Type")?.hasPrefix("text/javascript") == true
            )
            #expect(style.status == 200 && style.text.contains("@media"))
            #expect(home.status == 303 && home.headers.first(name: "Location") == "/sign-in")
            #expect(projects.status == 303 && projects.headers.first(name: "Location") == "/sign-in?next=/projects")
        }
    }
}
