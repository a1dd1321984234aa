// Cameras in the browser: register a camera with its deployment from the Devices form, make
// its key on its page (shown once, with the command to run), find what it saw on the
// Sightings tab (frames with their sightings, the next page by cursor) and send chosen frames
// to the labelling queue.
import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import Testing
@testable import MinnowServer

@Suite("Web pages: cameras")
struct WebCameraTests {
    @Test func registerACameraFindWhatItSawAndQueueFramesForLabelling() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup: a deployed classifier (the API signs "ada" up), the browser signed in as ada
            let world = try await CameraWorld.make(server)
            let browser = TestBrowser(server)
            try await browser.signIn("ada")
            // act: register a camera from the form and make its key
            _ = try await browser.get("/projects/\(world.project)/devices")
            let registered = try await browser.post(
                "/projects/\(world.project)/devices",
                [
                    ("name", "kitchen"), ("kind", "camera"), ("deployment", "stripes"),
                    ("profile", ""), ("bridge", ""), ("usbSerial", ""),
                ])
            let devicePath = try #require(
                registered.headers.first(name: "Location")?.split(separator: "?").first.map(String.init),
                "\(registered.text)")
            let shown = try await browser.get(try #require(registered.headers.first(name: "Location")))
            #expect(shown.text.contains("Camera saved") && shown.text.contains("<dd>camera</dd>"), "\(shown.text)")
            let keyMade = try await browser.post(devicePath + "/key", [])
            let withKey = try await browser.get(try #require(keyMade.headers.first(name: "Location")))
            let reloaded = try await browser.get(devicePath)
            // check: the key is shown once, in the command to run
            #expect(registered.status == 303 && keyMade.status == 303)
            let key = try #require(
                withKey.text.range(of: "mnw_[A-Za-z0-9_-]+", options: .regularExpression).map {
                    String(withKey.text[$0])
                }, "\(withKey.text)")
            #expect(
                withKey.text.contains("minnow camera --server http://")
                    && withKey.text.contains("id=\"camera-command\""))
            #expect(!reloaded.text.contains(key) && reloaded.text.contains("Deployment that reads its frames"))
            let camera = String(devicePath.split(separator: "/").last!)

            // the camera posts frames with the key; the tab shows them newest first, two to a page here
            for seed in 0..<3 {
                let posted = try await world.post(
                    StripeImages.png(horizontal: seed != 1, seed: 700 + seed), camera: camera, key: key)
                try #require(posted.status == 201, "\(posted.text)")
            }
            let page = try await browser.get("/projects/\(world.project)/sightings?deviceId=\(camera)")
            let frames = page.text.components(separatedBy: "/frame\" alt=\"").count - 1
            #expect(page.status == 200 && frames == 3 && page.text.contains("kitchen"), "\(page.text)")
            let empty = try await browser.get("/projects/\(world.project)/sightings?label=giraffe")
            #expect(empty.text.contains("id=\"no-sightings\""))
            let stranger = TestBrowser(server)
            try await stranger.signUp("eve")
            #expect(try await stranger.get("/projects/\(world.project)/sightings").status == 404)

            // two chosen frames go to the labelling queue
            let ids = page.text.matches(of: /name="observationIds" value="([0-9a-f-]{36})"/).map { String($0.1) }
            let queued = try await browser.post(
                "/projects/\(world.project)/sightings/to-dataset",
                [("observationIds", ids[0]), ("observationIds", ids[1]), ("labelled", "0")])
            let queue = try await browser.get(try #require(queued.headers.first(name: "Location")))
            #expect(queued.status == 303 && queue.text.contains("Added 2 frames to the dataset"), "\(queue.text)")
            #expect(
                queue.text.components(separatedBy: "kitchen-").count - 1 >= 2,
                "the queue lists the camera's frames by name")
        }
    }
}
