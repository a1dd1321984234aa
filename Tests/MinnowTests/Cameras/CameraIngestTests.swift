// Cameras (issue 13): a camera posts frames with its own key; the server reads each with the
// camera's deployment exactly as the prediction API does, stores observations and sightings,
// searches them newest first by cursor, serves the frames and feeds them back into the dataset.
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Camera ingest and search")
struct CameraIngestTests {
    @Test(arguments: TestDatabase.all)
    func framesAreReadLikePredictionsSearchedAndAddedToTheDataset(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let world = try await CameraWorld.make(server)
            // yesterday, by the camera's clock
            let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 86_400).rounded())
            var posted: [(id: String, label: String, frame: Data)] = []
            // act: six frames, a minute apart by the camera's clock
            for index in 0..<6 {
                let frame = StripeImages.png(horizontal: index % 2 == 0, seed: 500 + index)
                let stored = try await world.post(frame, capturedAt: start.addingTimeInterval(Double(index) * 60))
                try #require(stored.status == 201, "\(stored.text)")
                // check: the camera's reading equals the prediction API's on the same bytes
                let predicted = try await world.predict(frame)
                #expect(stored["label"] as? String == predicted["label"] as? String)
                let storedScores = (stored["scores"] as? [[String: Any]])?.map { "\($0["label"]!)=\($0["score"]!)" }
                #expect(
                    storedScores == (predicted["scores"] as? [[String: Any]])?.map { "\($0["label"]!)=\($0["score"]!)" }
                )
                #expect(
                    stored["frame"] as? String == "stored" && stored["frameWidth"] as? Int == 16
                        && stored["output"] as? [Int] == [])
                #expect(stored["observedAt"] as? String == start.addingTimeInterval(Double(index) * 60).ISO8601Format())
                posted.append((try #require(stored["id"] as? String), try #require(stored["label"] as? String), frame))
            }
            let device = try await server.request(
                .GET, "/v1/projects/\(world.project)/devices/\(world.camera)", token: world.token)
            #expect(device["status"] as? String == "online" && device["lastSeenAt"] != nil, "\(device.text)")

            // "where was it last seen": the newest sighting of the label, with the camera's time
            let label = posted[0].label
            let expected = posted.enumerated().filter { $0.element.label == label }.map(\.offset).reversed()
            let lastSeen = try await world.search("label=\(label)&limit=1")
            #expect(lastSeen.status == 200, "\(lastSeen.text)")
            let first = try #require(lastSeen.items.first)
            #expect(
                first["observationId"] as? String == posted[expected.first!].id
                    && first["deviceName"] as? String == "porch")
            #expect(
                first["seenAt"] as? String == start.addingTimeInterval(Double(expected.first!) * 60).ISO8601Format())
            #expect(first["hasFrame"] as? Bool == true && first["x"] == nil)
            // every sighting of it, one page at a time: newest first, none repeated or skipped
            var seen: [String] = [], cursor: String?
            repeat {
                let page = try await world.search("label=\(label)&limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""))
                seen += page.items.compactMap { $0["observationId"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen == expected.map { posted[$0].id })
            #expect(try await world.search().items.count == 6)
            #expect(
                try await world.search(
                    "from=\(start.addingTimeInterval(120).ISO8601Format())&to=\(start.addingTimeInterval(240).ISO8601Format())"
                ).items.count == 2)
            #expect(
                try await world.search("deviceId=\(world.camera)&minScore=1.01").status == 422, "minScore is at most 1")
            let confident = try await world.search("minScore=0.5").items.count
            let uncertain = try await world.search("maxScore=0.5").items.count
            #expect(confident + uncertain >= 6)
            #expect(try await world.search("cursor=nonsense").status == 422)
            // RFC 3339 times with fractional seconds, as cameras send them, are read too
            let fractional = start.addingTimeInterval(120).ISO8601Format().replacingOccurrences(of: "Z", with: ".250Z")
            #expect(try await world.search("from=\(fractional)").items.count == 3, "frames at 180, 240 and 300 s")

            // the frame, byte for byte
            let frame = try await server.request(
                .GET, "/v1/projects/\(world.project)/observations/\(posted[1].id)/frame", token: world.token)
            #expect(
                frame.status == 200 && frame.body == posted[1].frame
                    && frame.headers.first(name: "Content-Type") == "image/png")
            let observation = try await server.request(
                .GET, "/v1/projects/\(world.project)/observations/\(posted[1].id)", token: world.token)
            #expect(observation["iterationNumber"] as? Int == 1 && observation["deviceId"] as? String == world.camera)

            // back into the dataset: two newest unlabelled, then the same again (skipped), then labelled
            let added = try await server.request(
                .POST, "/v1/projects/\(world.project)/images/from-observations", token: world.token,
                json: ["maxScore": 1, "limit": 2])
            #expect(added.status == 200 && added["added"] as? Int == 2, "\(added.text)")
            let queue = try await server.request(
                .GET, "/v1/projects/\(world.project)/images?unlabelled=true&source=device", token: world.token)
            #expect(
                queue.items.count == 2
                    && queue.items.allSatisfy { $0["source"] as? String == "device" && $0["label"] == nil },
                "\(queue.text)")
            let day = String(start.ISO8601Format().prefix(10))
            #expect(
                queue.items.allSatisfy { ($0["fileName"] as? String)?.hasPrefix("porch-\(day)T") == true },
                "\(queue.text)")
            let again = try await server.request(
                .POST, "/v1/projects/\(world.project)/images/from-observations", token: world.token,
                json: ["observationIds": [posted[5].id, posted[4].id, UUID().uuidString]])
            let reasons = (again["skipped"] as? [[String: Any]])?.compactMap { $0["reason"] as? String } ?? []
            #expect(again["added"] as? Int == 0 && reasons.count == 3, "\(again.text)")
            #expect(
                reasons.filter { $0.hasPrefix("already in the dataset") }.count == 2
                    && reasons.contains("not an observation of this project"))
            let labelled = try await server.request(
                .POST, "/v1/projects/\(world.project)/images/from-observations", token: world.token,
                json: ["observationIds": [posted[0].id], "labelled": true, "split": "train"])
            let imageID = try #require((labelled["images"] as? [String])?.first, "\(labelled.text)")
            let image = try await server.request(
                .GET, "/v1/projects/\(world.project)/images/\(imageID)", token: world.token)
            #expect(
                image["label"] as? String == posted[0].label && image["split"] as? String == "train"
                    && image["source"] as? String == "device")
        }
    }

    @Test(arguments: TestDatabase.all)
    func manyCamerasAtOnceAreAllStored(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let world = try await CameraWorld.make(server)
            let (other, otherKey, _) = try await CameraWorld.addCamera(
                "garage", to: world.project, deployment: "stripes", token: world.token, server: server)
            // act: 48 frames from two cameras at once, committed in shared batches
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<48 {
                    group.addTask {
                        let frame = StripeImages.png(horizontal: index % 3 == 0, seed: 2_000 + index)
                        return index % 2 == 0
                            ? try await world.post(frame).status
                            : try await world.post(frame, camera: other, key: otherKey).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // check: every one answered 201 and stored once, with its sighting and its frame
            #expect(statuses == Array(repeating: 201, count: 48))
            #expect(try await server.count("observations") == 48)
            #expect(try await server.count("sightings") == 48)
            for camera in [world.camera, other] {
                let page = try await server.request(
                    .GET, "/v1/projects/\(world.project)/devices/\(camera)/observations?perPage=100", token: world.token
                )
                #expect((page["metadata"] as? [String: Any])?["total"] as? Int == 24)
                #expect(page.items.allSatisfy { $0["frame"] as? String == "stored" })
                let device = try await server.request(
                    .GET, "/v1/projects/\(world.project)/devices/\(camera)", token: world.token)
                #expect(device["lastSeenAt"] != nil)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func cameraKeysPostOnlyTheirCamerasFramesAndBadFramesLoseNothing(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let world = try await CameraWorld.make(server)
            let frame = StripeImages.png(horizontal: true, seed: 1)
            let (other, otherKey, _) = try await CameraWorld.addCamera(
                "garage", to: world.project, deployment: "stripes", token: world.token, server: server)
            // a camera's key posts its own frames only, and does nothing else
            #expect(try await world.post(frame, camera: other).status == 403)
            #expect(try await world.post(frame, camera: other, key: otherKey).status == 201)
            #expect(
                try await server.request(.GET, "/v1/projects/\(world.project)/images", token: world.cameraKey).status
                    == 403)
            #expect(
                try await server.request(.GET, "/v1/projects/\(world.project)/sightings", token: world.cameraKey).status
                    == 403)
            #expect(try await server.request(.GET, "/v1/projects", token: world.cameraKey).status == 403)
            // a camera key has exactly the ingest permission, and belongs to a camera of the project
            let wide = try await server.request(
                .POST, "/v1/api-keys", token: world.token,
                json: [
                    "name": "wide", "projectId": world.project, "permissions": ["ingest", "read"],
                    "deviceId": world.camera,
                ])
            #expect(wide.status == 422, "\(wide.text)")
            // a project key with ingest may post for any camera; a key without it may not
            let ingest = try await server.request(
                .POST, "/v1/api-keys", token: world.token,
                json: ["name": "ingest", "projectId": world.project, "permissions": ["ingest"]])
            #expect(try await world.post(frame, key: try #require(ingest["key"] as? String)).status == 201)
            let reader = try await server.request(
                .POST, "/v1/api-keys", token: world.token,
                json: ["name": "reader", "projectId": world.project, "permissions": ["read"]])
            #expect(try await world.post(frame, key: try #require(reader["key"] as? String)).status == 403)
            // someone else sees nothing
            let mallory = try await server.signUp("mallory")
            #expect(try await world.post(frame, key: mallory).status == 404)
            #expect(
                try await server.request(.GET, "/v1/projects/\(world.project)/sightings", token: mallory).status == 404)
            let any = try #require(try await world.search().items.first?["observationId"] as? String)
            #expect(
                try await server.request(
                    .GET, "/v1/projects/\(world.project)/observations/\(any)/frame", token: mallory
                ).status == 404)

            // bad frames: clear errors, nothing stored
            let before = try await server.count("observations")
            let corrupt = try await world.post(Data("not an image at all".utf8))
            #expect(
                corrupt.status == 422 && corrupt.errorMessage?.contains("not a readable JPEG or PNG") == true,
                "\(corrupt.text)")
            #expect(try await world.post(Data()).status == 400)
            // a board posts no frames; a camera without a deployment cannot be read
            let board = try await server.request(
                .POST, "/v1/projects/\(world.project)/devices", token: world.token, json: ["name": "nano"])
            let boardFrame = try await world.post(frame, camera: try #require(board["id"] as? String), key: world.token)
            #expect(boardFrame.status == 409 && boardFrame.errorMessage?.contains("is a board") == true)
            let unlinked = try await server.request(
                .PATCH, "/v1/projects/\(world.project)/devices/\(other)", token: world.token, json: ["deployment": ""])
            #expect(unlinked.status == 200 && unlinked["deployment"] == nil)
            let orphan = try await world.post(frame, camera: other, key: otherKey)
            #expect(
                orphan.status == 409 && orphan.errorMessage?.contains("has no deployment") == true, "\(orphan.text)")
            #expect(
                try await server.request(
                    .PATCH, "/v1/projects/\(world.project)/devices/\(other)", token: world.token,
                    json: ["deployment": "missing"]
                ).status == 422)
            #expect(try await server.count("observations") == before)

            // revoking the key refuses it at once
            let revoked = try await server.request(.DELETE, "/v1/api-keys/\(world.cameraKeyID)", token: world.token)
            #expect(revoked.status == 204)
            #expect(try await world.post(frame).status == 401)
            // deleting a camera deletes its keys, observations and sightings
            #expect(
                try await server.request(.DELETE, "/v1/projects/\(world.project)/devices/\(other)", token: world.token)
                    .status == 204)
            #expect(
                try await server.request(
                    .GET, "/v1/projects/\(world.project)/sightings?deviceId=\(other)", token: world.token
                ).items.isEmpty)
            #expect(try await world.post(frame, camera: other, key: otherKey).status == 401)
        }
    }
}
