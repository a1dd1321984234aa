// The Devices tab without a board: registering from the form (errors next to their fields,
// the typed values kept), the device's page, deleting it; another user's device is 404.
import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Web pages: devices")
struct WebDeviceTests {
    @Test func registerShowAndDeleteADevice() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup
            let browser = TestBrowser(server)
            try await browser.signUp("ada")
            let project = try await browser.createProject("bench")
            let empty = try await browser.get("/projects/\(project)/devices")
            // act
            let bad = try await browser.post(
                "/projects/\(project)/devices",
                [("name", "a/b"), ("profile", "mps2-an386"), ("bridge", ""), ("usbSerial", "EMU-1")])
            let registered = try await browser.post(
                "/projects/\(project)/devices",
                [("name", "bench-1"), ("profile", "mps2-an386"), ("bridge", ""), ("usbSerial", "EMU-1")])
            let shown = try await browser.get(registered.headers.first(name: "Location") ?? "-")
            let listed = try await browser.get("/projects/\(project)/devices")
            let eve = TestBrowser(server)
            try await eve.signUp("eve")
            let devicePath = try #require(
                listed.text.range(of: "/projects/\(project)/devices/[0-9a-f-]{36}", options: .regularExpression).map {
                    String(listed.text[$0])
                })
            let stranger = try await eve.get(devicePath)
            let install = try await browser.post(devicePath + "/install", [("iterationId", UUID().uuidString)])
            let deleted = try await browser.post(devicePath + "/delete", [])
            let afterDelete = try await browser.get(deleted.headers.first(name: "Location") ?? "-")
            // check
            #expect(
                empty.status == 200 && empty.text.contains("No devices yet")
                    && empty.text.contains("No bridge has connected yet"))
            #expect(
                bad.status == 422 && bad.text.contains("id=\"f-name-error\"") && bad.text.contains("value=\"EMU-1\""),
                "\(bad.text)")
            #expect(
                registered.status == 303 && shown.text.contains("Device registered")
                    && shown.text.contains("serial EMU-1"), "\(shown.text)")
            #expect(listed.text.contains("bench-1") && listed.text.contains("never-seen"))
            #expect(stranger.status == 404)
            #expect(install.status == 422 && install.text.contains("Iteration not found."), "\(install.status)")
            #expect(
                deleted.status == 303 && afterDelete.text.contains("No devices yet")
                    && afterDelete.text.contains("were deleted"))
        }
    }
}
