import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Web pages: sessions, CSRF and headers")
struct WebSecurityTests {
    @Test(arguments: TestDatabase.all)
    func signUpSetsAnHttpOnlySameSiteSessionAndPagesCarrySecureHeaders(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let browser = TestBrowser(server)
            // act
            let form = try await browser.get("/sign-up")
            try await browser.get("/sign-up")
            let signedUp = try await browser.post("/sign-up", [("username", "ada"), ("password", "correct horse")])
            let projects = try await browser.get("/projects")
            // check
            let policy = try #require(form.headers.first(name: "Content-Security-Policy"))
            #expect(
                policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'")
                    && !policy.contains("unsafe-inline"))
            #expect(form.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(form.headers.first(name: "Referrer-Policy") == "same-origin")
            #expect(form.headers.first(name: "Cache-Control") == "no-store")
            #expect(signedUp.status == 303)
            let cookie = try #require(signedUp.headers["Set-Cookie"].first { $0.hasPrefix("minnow_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age="))
            #expect(projects.status == 200 && projects.text.contains("<h1>Projects</h1>"))
            #expect(!projects.text.contains("<script>"), "no inline scripts")
        }
    }

    @Test(arguments: TestDatabase.all)
    func formsWithoutTheCSRFTokenOrFromAnotherSiteAreRefused(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let browser = TestBrowser(server)
            try await browser.signUp("ada")
            try await browser.get("/projects")
            // act
            let missing = try await browser.post("/projects", [("name", "a"), ("task", "classification")], csrf: false)
            let wrong = try await browser.post(
                "/projects", [("name", "a"), ("task", "classification"), ("csrf", "forged")], csrf: false)
            try await browser.get("/projects")
            let crossSite = try await browser.post(
                "/projects", [("name", "a"), ("task", "classification")], origin: "http://evil.example")
            try await browser.get("/projects")
            let good = try await browser.post("/projects", [("name", "a"), ("task", "classification")])
            let signInWithoutToken = try await TestBrowser(server).post(
                "/sign-in", [("username", "ada"), ("password", "correct horse")], csrf: false)
            // The API accepts the cookie only with the page's token for changes.
            let cookie = [("Cookie", browser.cookieHeader), ("Origin", server.baseURL)]
            let apiRead = try await server.request(.GET, "/v1/projects", headers: cookie)
            let apiWriteWithoutToken = try await server.request(
                .POST, "/v1/projects", json: ["name": "b", "task": "classification"], headers: cookie)
            try await browser.get("/projects")
            let apiWrite = try await server.request(
                .POST, "/v1/projects", json: ["name": "b", "task": "classification"],
                headers: cookie + [("X-CSRF-Token", try browser.csrfToken())])
            // check
            #expect(missing.status == 403 && wrong.status == 403 && crossSite.status == 403)
            #expect(missing.text.contains("Form expired"))
            #expect(good.status == 303)
            #expect(signInWithoutToken.status == 403)
            #expect(apiRead.status == 200 && apiWriteWithoutToken.status == 403 && apiWrite.status == 201)
            #expect(try await server.count("projects") == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func signingOutRevokesTheSessionEverywhere(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let browser = TestBrowser(server)
            try await browser.signUp("ada")
            let stolen = browser.cookies
            try await browser.get("/projects")
            // act
            let signedOut = try await browser.post("/sign-out", [])
            browser.cookies = stolen
            let page = try await browser.get("/projects")
            let api = try await server.request(.GET, "/v1/auth/me", headers: [("Cookie", browser.cookieHeader)])
            // check
            #expect(
                signedOut.status == 303 && signedOut.headers.first(name: "Location") == "/sign-in?notice=signed-out")
            #expect(signedOut.headers["Set-Cookie"].contains { $0.hasPrefix("minnow_session=;") })
            #expect(page.status == 303 && page.headers.first(name: "Location")?.hasPrefix("/sign-in") == true)
            #expect(api.status == 401)
        }
    }

    @Test func expiredSessionsGoBackToSignIn() async throws {
        // 30 s: the fresh token must outlive sign-up and a page, and the second sign-in's token the
        // rest of the test; on CI's loaded machine 2 s and then 10 s were both too short
        let lifetime: TimeInterval = 30
        try await TestServer.with(.sqlite, configure: { $0.accessTokenLifetime = lifetime }) { server in
            let browser = TestBrowser(server)
            let signedUpBefore = Date()
            try await browser.signUp("ada")
            let fresh = try await browser.get("/projects")
            // act
            try await Task.sleep(
                for: .seconds(max(0, signedUpBefore.addingTimeInterval(lifetime + 1.2).timeIntervalSinceNow)))
            let expired = try await browser.get("/projects?page=2")
            let form = try await browser.get(expired.headers.first(name: "Location") ?? "")
            let back = try await browser.post(
                "/sign-in", [("username", "ada"), ("password", "correct horse"), ("next", "/projects?page=2")])
            try await browser.get("/projects")
            try await browser.post("/sign-out", [])
            try await browser.get("/sign-in")
            let elsewhere = try await browser.post(
                "/sign-in", [("username", "ada"), ("password", "correct horse"), ("next", "//evil.example/")])
            // check
            #expect(fresh.status == 200)
            #expect(
                expired.status == 303 && expired.headers.first(name: "Location") == "/sign-in?next=/projects%3Fpage%3D2"
            )
            #expect(form.text.contains("name=\"next\" value=\"/projects?page=2\""))
            #expect(back.status == 303 && back.headers.first(name: "Location") == "/projects?page=2")
            #expect(
                elsewhere.status == 303 && elsewhere.headers.first(name: "Location") == "/projects", "no open redirect")
        }
    }

    @Test(arguments: TestDatabase.all)
    func anotherUsersProjectIsNotFound(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("birds", token: token)
            let image = try #require(
                try await server.uploadImages([1], label: "robin", to: project, token: token).first)
            let bob = TestBrowser(server)
            try await bob.signUp("bob")
            try await bob.get("/projects")
            // act
            let pages = [
                try await bob.get("/projects/\(project)/images"),
                try await bob.get("/projects/\(project)/images/\(image)"),
                try await bob.get("/projects/\(project)/analysis"), try await bob.get("/projects/\(project)/settings"),
                try await bob.get("/projects/\(project)/labels"), try await bob.get("/projects/\(project)/upload"),
            ]
            try await bob.get("/projects")
            let batch = try await bob.post(
                "/projects/\(project)/images/batch", [("ids[]", image), ("action", "delete")])
            try await bob.get("/projects")
            let delete = try await bob.post("/projects/\(project)/delete", [("confirmName", "birds")])
            let thumbnail = try await server.request(
                .GET, "/v1/projects/\(project)/images/\(image)/thumbnail", headers: [("Cookie", bob.cookieHeader)])
            // check
            #expect(pages.allSatisfy { $0.status == 404 && $0.text.contains("Not found") })
            #expect(batch.status == 404 && delete.status == 404 && thumbnail.status == 404)
            #expect(try await server.count("images") == 1)
            #expect(try await server.count("projects") == 1)
        }
    }

    @Test
    func aNewKeyIsShownOnlyOnItsPageInItsSessionAndOnlyOnce() async throws {
        try await TestServer.with(.sqlite) { server in
            let ada = TestBrowser(server)
            try await ada.signUp("ada")
            let projectID = try await ada.createProject("birds")
            try await ada.get("/keys")
            // act
            let form = try await ada.post(
                "/keys", [("name", "cam"), ("projectId", projectID), ("permissions[]", "read")])
            let sealed = try #require(ada.cookies[SecretReveal.cookieName])
            let otherPage = try await ada.get("/projects/\(projectID)/deploy")
            let bob = TestBrowser(server)
            try await bob.signUp("bob")
            bob.cookies[SecretReveal.cookieName] = sealed
            let otherSession = try await bob.get("/keys")
            var forged = Array(sealed)
            forged[forged.count / 2] = forged[forged.count / 2] == "A" ? "B" : "A"
            ada.cookies[SecretReveal.cookieName] = String(forged)
            let tampered = try await ada.get("/keys")
            ada.cookies[SecretReveal.cookieName] = sealed
            let shown = try await ada.get("/keys")
            let reload = try await ada.get("/keys")
            // check
            let setCookie = try #require(
                form.headers["Set-Cookie"].first { $0.hasPrefix(SecretReveal.cookieName + "=") })
            #expect(
                setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict")
                    && setCookie.contains("Max-Age=120"))
            #expect(
                !otherPage.text.contains("mnw_") && !otherSession.text.contains("id=\"new-key\"")
                    && !tampered.text.contains("id=\"new-key\""))
            #expect(shown.text.contains("id=\"new-key\"") && !reload.text.contains("id=\"new-key\""))
        }
    }
}
