import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Web pages: account, API keys and projects")
struct WebAccountTests {
    @Test func validationErrorsAreShownNextToTheirFields() async throws {
        try await TestServer.with(.sqlite) { server in
            let browser = TestBrowser(server)
            try await browser.get("/sign-up")
            // act
            let shortPassword = try await browser.post("/sign-up", [("username", "ada"), ("password", "short")])
            let badName = try await browser.post("/sign-up", [("username", "a/b"), ("password", "correct horse")])
            try await browser.signUp("ada")
            try await browser.get("/projects")
            let emptyProject = try await browser.post("/projects", [("name", "  "), ("task", "classification")])
            _ = try await browser.post("/projects", [("name", "birds"), ("task", "classification")])
            try await browser.get("/projects")
            let duplicate = try await browser.post("/projects", [("name", "birds"), ("task", "detection")])
            try await browser.get("/sign-in")
            let wrongPassword = try await TestBrowser(server).signInAttempt("ada", "wrong password")
            // check
            #expect(
                shortPassword.status == 422
                    && shortPassword.text.contains(
                        "id=\"f-password-error\">The password must be at least 8 characters.")
            )
            #expect(shortPassword.text.contains("aria-invalid=\"true\" aria-describedby=\"f-password-error\""))
            #expect(shortPassword.text.contains("value=\"ada\""), "what was typed stays")
            #expect(badName.status == 422 && badName.text.contains("id=\"f-username-error\""))
            #expect(
                emptyProject.status == 422
                    && emptyProject.text.contains("id=\"f-name-error\">The project name must be 1–100 characters."))
            #expect(
                duplicate.status == 422
                    && duplicate.text.contains(
                        "id=\"f-name-error\">You already have a project named &quot;birds&quot;.")
            )
            #expect(wrongPassword.status == 401 && wrongPassword.text.contains("Wrong username or password."))
        }
    }

    @Test func changingThePasswordKeepsThisSessionAndEndsOthers() async throws {
        try await TestServer.with(.sqlite) { server in
            let browser = TestBrowser(server)
            try await browser.signUp("ada")
            let other = TestBrowser(server)
            try await other.signIn("ada")
            try await browser.get("/account")
            // act
            let wrong = try await browser.post(
                "/account/password", [("currentPassword", "nope nope"), ("newPassword", "battery staple")])
            let changed = try await browser.post(
                "/account/password", [("currentPassword", "correct horse"), ("newPassword", "battery staple")])
            let here = try await browser.get(changed.headers.first(name: "Location") ?? "/account")
            let elsewhere = try await other.get("/account")
            // check
            #expect(
                wrong.status == 422
                    && wrong.text.contains("id=\"f-currentPassword-error\">The current password is wrong."))
            #expect(changed.status == 303 && here.status == 200 && here.text.contains("Password changed"))
            #expect(elsewhere.status == 303)
        }
    }

    @Test func deletingTheAccountNeedsTheUsernameAndRemovesEverything() async throws {
        try await TestServer.with(.sqlite) { server in
            let browser = TestBrowser(server)
            try await browser.signUp("ada")
            try await browser.get("/projects")
            _ = try await browser.post("/projects", [("name", "birds"), ("task", "classification")])
            try await browser.get("/account")
            // act
            let unconfirmed = try await browser.post("/account/delete", [("confirmUsername", "bob")])
            let deleted = try await browser.post("/account/delete", [("confirmUsername", "ada")])
            let after = try await browser.get("/projects")
            // check
            #expect(unconfirmed.status == 422 && unconfirmed.text.contains("id=\"f-confirmUsername-error\""))
            #expect(
                deleted.status == 303 && deleted.headers.first(name: "Location") == "/sign-in?notice=account-deleted")
            #expect(after.status == 303)
            #expect(try await server.count("users") == 0)
            #expect(try await server.count("projects") == 0)
        }
    }

    @Test func apiKeysAreShownOnceListedAndRevoked() async throws {
        try await TestServer.with(.sqlite) { server in
            let browser = TestBrowser(server)
            try await browser.signUp("ada")
            let projectID = try await browser.createProject("birds")
            try await browser.get("/keys")
            // act
            let noPermission = try await browser.post("/keys", [("name", "cam"), ("projectId", projectID)])
            let key = try await browser.post(
                "/keys",
                [
                    ("name", "cam"), ("projectId", projectID), ("permissions[]", "read"), ("permissions[]", "ingest"),
                    ("expiresInDays", "30"),
                ])
            let shown = try await browser.get("/keys")  // where the form redirects
            let secret = try #require(
                shown.text.range(of: "mnw_[0-9A-Za-z]{43}", options: .regularExpression).map { String(shown.text[$0]) })
            let usable = try await server.request(.GET, "/v1/projects/\(projectID)", token: secret)
            let list = try await browser.get("/keys")  // a reload
            let keyID = try #require(
                list.text.range(of: "/keys/[0-9a-f-]{36}/revoke", options: .regularExpression).map {
                    list.text[$0].split(separator: "/")[1]
                }
            ).description
            let revoked = try await browser.post("/keys/\(keyID)/revoke", [])
            let unusable = try await server.request(.GET, "/v1/projects/\(projectID)", token: secret)
            // check
            #expect(noPermission.status == 422 && noPermission.text.contains("id=\"f-permissions-error\""))
            #expect(
                key.status == 303 && key.headers.first(name: "Location") == "/keys"
                    && shown.text.contains("id=\"new-key\"") && usable.status == 200)
            #expect(browser.cookies[SecretReveal.cookieName] == nil, "the page that showed the key cleared it")
            #expect(!list.text.contains(secret) && list.text.contains(String(secret.prefix(10))))
            #expect(revoked.status == 303 && unusable.status == 401)
        }
    }
}

extension TestBrowser {
    func signInAttempt(_ username: String, _ password: String) async throws -> TestResponse {
        try await get("/sign-in")
        return try await post("/sign-in", [("username", username), ("password", password)])
    }
}
