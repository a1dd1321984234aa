// The device registry and the bridge's side of the API, spoken over HTTP as a bridge would:
// registering devices, heartbeats attaching boards by USB serial number, installs built by
// the worker and claimed under a lease, progress that cannot claim success with the wrong
// hash, installs whose bridge went quiet failing, and isolation between users and projects.
// The real board (qemu, flashing, the boot line) is exercised in BridgeEndToEndTests.
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Device registry and bridge API")
struct DeviceRegistryTests {
    static func bridgeKey(
        _ server: TestServer, project: String, token: String, permissions: [String] = ["bridge"]
    ) async throws -> String {
        let created = try await server.request(
            .POST, "/v1/api-keys", token: token,
            json: ["name": "bench bridge", "projectId": project, "permissions": permissions])
        try #require(created.status == 201, "\(created.text)")
        return try #require(created["key"] as? String)
    }

    nonisolated(unsafe) static let port: [String: Any] = [
        "path": "/dev/serial/by-id/usb-Minnow_Emulated-if00", "byId": "/dev/serial/by-id/usb-Minnow_Emulated-if00",
        "usb": ["vendorId": "0d28", "productId": "0204", "serialNumber": "EMU-0001"],
        "description": "Arm DAPLink (board unknown)",
    ]

    @Test(arguments: TestDatabase.all)
    func registerHeartbeatAndIsolation(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            // setup
            let token = try await server.signUp("ada")
            let project = try await server.createProject("bench", token: token)
            let key = try await Self.bridgeKey(server, project: project, token: token)

            // act: a device before its bridge exists, then the bridge's first heartbeat
            let created = try await server.request(
                .POST, "/v1/projects/\(project)/devices", token: token,
                json: ["name": "bench-1", "profile": "mps2-an386", "usb": ["serialNumber": "EMU-0001"]])
            #expect(created.status == 201, "\(created.text)")
            #expect(created["status"] as? String == "never-seen" && created["bridge"] == nil)
            let device = try #require(created["id"] as? String)
            let beat = try await server.request(
                .POST, "/v1/projects/\(project)/bridges/lab/heartbeat", token: key,
                json: ["version": "1", "hostname": "pi", "ports": [Self.port]])

            // check: the board is attached by its serial number and is online
            #expect(beat.status == 200, "\(beat.text)")
            let served = try #require(beat["devices"] as? [[String: Any]])
            #expect(
                served.count == 1 && served[0]["name"] as? String == "bench-1"
                    && served[0]["status"] as? String == "online")
            #expect(served[0]["port"] as? String == Self.port["path"] as? String)
            let shown = try await server.request(.GET, "/v1/projects/\(project)/devices/\(device)", token: token)
            #expect(
                shown["bridge"] as? String == "lab"
                    && (shown["usb"] as? [String: Any])?["vendorId"] as? String == "0d28")
            let bridges = try await server.request(.GET, "/v1/projects/\(project)/bridges", token: token)
            let bridge = try #require((bridges["items"] as? [[String: Any]])?.first)
            #expect(bridge["online"] as? Bool == true && (bridge["ports"] as? [[String: Any]])?.count == 1)

            // The board is unplugged: the next heartbeat has no port for it.
            _ = try await server.request(
                .POST, "/v1/projects/\(project)/bridges/lab/heartbeat", token: key, json: ["ports": []])
            #expect(
                try await server.request(.GET, "/v1/projects/\(project)/devices/\(device)", token: token)["status"]
                    as? String == "offline")

            // Rules: unknown profile, duplicate name and serial, a bridge that does not exist.
            let unknown = try await server.request(
                .POST, "/v1/projects/\(project)/devices", token: token, json: ["name": "x", "profile": "pdp-11"])
            #expect(unknown.status == 422 && (unknown.errorMessage ?? "").contains("mps2-an386"))
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/devices", token: token, json: ["name": "bench-1"]
                ).status == 409)
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/devices", token: token,
                    json: ["name": "b2", "usb": ["serialNumber": "EMU-0001"]]
                ).status == 409)
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/devices", token: token, json: ["name": "b3", "bridge": "nowhere"]
                ).status == 422)

            // Keys: a bridge key cannot register devices or read them; a read key cannot heartbeat;
            // a wrong key is 401.
            #expect(
                try await server.request(.POST, "/v1/projects/\(project)/devices", token: key, json: ["name": "k"])
                    .status == 403)
            let reader = try await Self.bridgeKey(server, project: project, token: token, permissions: ["read"])
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/bridges/lab/heartbeat", token: reader, json: ["ports": []]
                ).status == 403)
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/bridges/lab/heartbeat", token: "mnw_wrong", json: ["ports": []]
                ).status == 401)

            // Another user sees nothing; a bridge of another project cannot touch this one's devices.
            let eve = try await server.signUp("eve")
            #expect(
                try await server.request(.GET, "/v1/projects/\(project)/devices/\(device)", token: eve).status == 404)
            #expect(try await server.request(.GET, "/v1/projects/\(project)/devices", token: eve).status == 404)
            let other = try await server.createProject("other", token: token)
            let otherKey = try await Self.bridgeKey(server, project: other, token: token)
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/bridges/lab/heartbeat", token: otherKey, json: ["ports": []]
                ).status == 404)
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/devices/\(device)/observations", token: otherKey,
                    json: ["items": [["output": [1, 2]]]]
                ).status == 404)
            let stolen = try await server.request(
                .POST, "/v1/projects/\(other)/bridges/lab/heartbeat", token: otherKey, json: ["ports": [Self.port]])
            #expect(stolen.status == 200 && (stolen["devices"] as? [Any])?.isEmpty == true)

            // Detach, rename, delete.
            let detached = try await server.request(
                .PATCH, "/v1/projects/\(project)/devices/\(device)", token: token,
                json: ["bridge": "", "name": "bench-one"])
            #expect(detached.status == 200 && detached["bridge"] == nil && detached["name"] as? String == "bench-one")
            #expect(
                try await server.request(.DELETE, "/v1/projects/\(project)/devices/\(device)", token: token).status
                    == 204)
            #expect(
                try await server.request(.GET, "/v1/projects/\(project)/devices/\(device)", token: token).status == 404)
        }
    }

    @Test(arguments: TestDatabase.all)
    func installIsBuiltClaimedAndVerifiedByHash(database: TestDatabase) async throws {
        try await TestServer.with(database, configure: { $0.installLeaseSeconds = 2 }) { server in
            // setup: a trained iteration, a device on a bridge
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            let key = try await Self.bridgeKey(server, project: project, token: token)
            let device = try #require(
                try await server.request(
                    .POST, "/v1/projects/\(project)/devices", token: token,
                    json: ["name": "bench-1", "profile": "mps2-an386", "usb": ["serialNumber": "EMU-0001"]])["id"]
                    as? String)

            // Not on a bridge yet: refused with the reason.
            let early = try await server.request(
                .POST, "/v1/projects/\(project)/devices/\(device)/installs", token: token,
                json: ["iterationId": iteration])
            #expect(early.status == 422 && (early.errorMessage ?? "").contains("minnow bridge"), "\(early.text)")
            _ = try await server.request(
                .POST, "/v1/projects/\(project)/bridges/lab/heartbeat", token: key, json: ["ports": [Self.port]])

            // act: install; the worker builds the firmware
            let requested = try await server.request(
                .POST, "/v1/projects/\(project)/devices/\(device)/installs", token: token,
                json: ["iterationId": iteration])
            #expect(requested.status == 202 && requested["status"] as? String == "queued", "\(requested.text)")
            let install = try #require(requested["id"] as? String)
            #expect(
                try await server.request(
                    .POST, "/v1/projects/\(project)/devices/\(device)/installs", token: token,
                    json: ["iterationId": iteration]
                ).status == 409)
            let claim = try await server.withWorker {
                try await Self.claim(server, project: project, key: key)
            }

            // check: the claim carries the firmware; its bytes are an ELF
            #expect(
                claim["firmwareHash"] as? String == (claim["install"] as? [String: Any])?["firmwareHash"] as? String)
            let firmwareHash = try #require(claim["firmwareHash"] as? String)
            #expect(firmwareHash.count == 64)
            let elf = try await server.request(.GET, try #require(claim["firmwareUrl"] as? String), token: key)
            #expect(elf.status == 200 && elf.body.prefix(4) == Data([0x7f, 0x45, 0x4c, 0x46]))
            let eve = try await server.signUp("eve")
            #expect(
                try await server.request(.GET, try #require(claim["firmwareUrl"] as? String), token: eve).status == 404)

            // Success with the wrong hash is refused: the install fails at verifying.
            let progress = "/v1/projects/\(project)/bridges/lab/installs/\(install)/progress"
            #expect(
                try await server.request(.POST, progress, token: key, json: ["stage": "flashing", "log": "flashed\n"])
                    .status == 200)
            let lied = try await server.request(
                .POST, progress, token: key,
                json: ["stage": "succeeded", "reportedFirmwareHash": String(repeating: "0", count: 64)])
            #expect(
                lied["status"] as? String == "failed" && lied["failedStage"] as? String == "verifying", "\(lied.text)")
            #expect(try await server.request(.POST, progress, token: key, json: ["stage": "verifying"]).status == 409)
            let device1 = try await server.request(.GET, "/v1/projects/\(project)/devices/\(device)", token: token)
            #expect(device1["installedIterationId"] == nil)

            // A second install whose bridge goes quiet fails after the lease, with the stage.
            _ = try await server.request(
                .POST, "/v1/projects/\(project)/devices/\(device)/installs", token: token,
                json: ["iterationId": iteration])
            let second = try await server.withWorker { try await Self.claim(server, project: project, key: key) }
            let secondID = try #require((second["install"] as? [String: Any])?["id"] as? String)
            _ = try await server.request(
                .POST, "/v1/projects/\(project)/bridges/lab/installs/\(secondID)/progress", token: key,
                json: ["stage": "verifying"])
            try await Task.sleep(for: .seconds(3))
            let abandoned = try await server.request(
                .GET, "/v1/projects/\(project)/devices/\(device)/installs/\(secondID)", token: token)
            #expect(
                abandoned["status"] as? String == "failed" && abandoned["failedStage"] as? String == "verifying",
                "\(abandoned.text)")
            #expect((abandoned["error"] as? String ?? "").contains("stopped reporting"))

            // A third install reported honestly succeeds, and the device says what it runs.
            _ = try await server.request(
                .POST, "/v1/projects/\(project)/devices/\(device)/installs", token: token,
                json: ["iterationId": iteration])
            let third = try await server.withWorker { try await Self.claim(server, project: project, key: key) }
            let thirdID = try #require((third["install"] as? [String: Any])?["id"] as? String)
            let done = try await server.request(
                .POST, "/v1/projects/\(project)/bridges/lab/installs/\(thirdID)/progress", token: key,
                json: [
                    "stage": "succeeded", "reportedFirmwareHash": try #require(third["firmwareHash"] as? String),
                    "log": "boot ok\n",
                ])
            #expect(done["status"] as? String == "succeeded", "\(done.text)")
            let runs = try await server.request(.GET, "/v1/projects/\(project)/devices/\(device)", token: token)
            #expect(
                runs["installedIterationId"] as? String == iteration
                    && runs["installedFirmwareHash"] as? String == third["firmwareHash"] as? String)
            let history = try await server.request(
                .GET, "/v1/projects/\(project)/devices/\(device)/installs", token: token)
            #expect(
                (history["items"] as? [[String: Any]])?.map { $0["status"] as? String } == [
                    "succeeded", "failed", "failed",
                ])
            #expect((history["items"] as? [[String: Any]])?.first?["requestedBy"] as? String == "ada")
        }
    }

    /// Long-polls until the worker has built an install and this bridge claims it.
    static func claim(_ server: TestServer, project: String, key: String) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let claimed = try await server.request(
                .POST, "/v1/projects/\(project)/bridges/lab/installs/next?wait=2", token: key)
            if claimed.status == 200 { return claimed.json }
            try #require(claimed.status == 204, "claim: \(claimed.status) \(claimed.text)")
        }
        Issue.record("no install became ready")
        return [:]
    }
}
