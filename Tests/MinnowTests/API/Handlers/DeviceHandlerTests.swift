import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Device handlers")
struct DeviceHandlerTests {
    @Test func registerListChangeAndForget() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let project = try await harness.project("bench", ownerID: ada.id).requireID().apiString
            // act
            let board = try await harness.call(as: ada.credentials) {
                try await $0.createDevice(
                    .init(
                        path: .init(projectId: project),
                        body: .json(
                            .init(
                                name: "bench-1", profile: "mps2-an386", usb: .init(serialNumber: "EMU-0001")))))
            }
            let camera = try await harness.call(as: ada.credentials) {
                try await $0.createDevice(
                    .init(path: .init(projectId: project), body: .json(.init(name: "porch", kind: .camera))))
            }
            let sameName = try await harness.call(as: ada.credentials) {
                try await $0.createDevice(.init(path: .init(projectId: project), body: .json(.init(name: "bench-1"))))
            }
            let unknownProfile = try await harness.call(as: ada.credentials) {
                try await $0.createDevice(
                    .init(path: .init(projectId: project), body: .json(.init(name: "x", profile: "pdp-11"))))
            }
            let boardID = try board.created.body.json.id, cameraID = try camera.created.body.json.id
            let listed = try await harness.call(as: ada.credentials) {
                try await $0.listDevices(.init(path: .init(projectId: project)))
            }
            let renamed = try await harness.call(as: ada.credentials) {
                try await $0.updateDevice(
                    .init(path: .init(projectId: project, deviceId: boardID), body: .json(.init(name: "bench-2"))))
            }
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getDevice(.init(path: .init(projectId: project, deviceId: boardID)))
            }
            let forgotten = try await harness.call(as: ada.credentials) {
                try await $0.deleteDevice(.init(path: .init(projectId: project, deviceId: cameraID)))
            }
            let gone = try await harness.call(as: ada.credentials) {
                try await $0.getDevice(.init(path: .init(projectId: project, deviceId: cameraID)))
            }
            // check
            let created = try board.created.body.json
            #expect(created.name == "bench-1" && created.kind == .board && created.profile == "mps2-an386")
            #expect(created.status == .neverSeen && created.bridge == nil && created.usb?.serialNumber == "EMU-0001")
            #expect(try camera.created.body.json.kind == .camera)
            #expect(try sameName.conflict.body.json.error.message.contains("\"bench-1\""))
            #expect(try unknownProfile.unprocessableContent.body.json.error.message.contains("mps2-an386"))
            #expect(try listed.ok.body.json.items.map(\.name) == ["bench-1", "porch"])
            #expect(try listed.ok.body.json.metadata.total == 2)
            #expect(try renamed.ok.body.json.name == "bench-2")
            #expect(try read.ok.body.json.name == "bench-2" && read.ok.body.json.lastInstall == nil)
            _ = try forgotten.noContent
            #expect(try gone.notFound.body.json.error.message == "Device not found.")
        }
    }

    @Test func installsAndObservationsOfABoard() async throws {
        try await HandlerHarness.with { harness in
            // setup: a board on bridge "lab" and a trained iteration
            let ada = try await harness.person("ada")
            let bench = try await harness.project("bench", ownerID: ada.id)
            let project = try bench.requireID().apiString
            let iteration = try await harness.trainedIteration(of: bench)
            let (device, bridgeKey) = try await harness.boardOnBridge("bench-1", in: bench, ownerID: ada.id)
            let path = Operations.ListInstalls.Input.Path(projectId: project, deviceId: device)
            // act
            let requested = try await harness.call(as: ada.credentials) {
                try await $0.createInstall(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(.init(iterationId: iteration.requireID().apiString))))
            }
            let again = try await harness.call(as: ada.credentials) {
                try await $0.createInstall(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(.init(iterationId: iteration.requireID().apiString))))
            }
            let install = try requested.accepted.body.json.id
            let history = try await harness.call(as: ada.credentials) { try await $0.listInstalls(.init(path: path)) }
            let one = try await harness.call(as: ada.credentials) {
                try await $0.getInstall(.init(path: .init(projectId: project, deviceId: device, installId: install)))
            }
            let beforeInstalled = try await harness.call(as: bridgeKey) {
                try await $0.createObservations(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(.init(items: [.init(output: [1, 2])]))))
            }
            try await harness.markInstalled(iteration, on: device)
            let reported = try await harness.call(as: bridgeKey) {
                try await $0.createObservations(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(
                            .init(items: [
                                .init(output: [100, -100], ticks: 1234), .init(output: [-100, 100]),
                            ]))))
            }
            let wrongSize = try await harness.call(as: bridgeKey) {
                try await $0.createObservations(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(.init(items: [.init(output: [1, 2, 3])]))))
            }
            let observations = try await harness.call(as: ada.credentials) {
                try await $0.listObservations(.init(path: .init(projectId: project, deviceId: device)))
            }
            // check
            let accepted = try requested.accepted.body.json
            #expect(
                accepted.status == .queued && accepted.iterationNumber == 1 && accepted.board == "mps2-an386"
                    && accepted.requestedBy == "ada")
            #expect(try again.conflict.body.json.error.message.contains("already queued"))
            #expect(try history.ok.body.json.items.map(\.id) == [install])
            #expect(try one.ok.body.json.id == install && one.ok.body.json.log != nil)
            #expect(try beforeInstalled.unprocessableContent.body.json.error.message.contains("has no installed model"))
            let model = try await harness.loadedModel(of: iteration)
            let stored = try reported.created.body.json.items
            #expect(
                stored.map(\.label) == [
                    model.answer(to: [100, -100], threshold: nil).label,
                    model.answer(to: [-100, 100], threshold: nil).label,
                ])
            #expect(
                stored.map(\.output) == [[100, -100], [-100, 100]] && stored.first?.ticks == 1234
                    && stored.first?.iterationNumber == 1)
            #expect(try wrongSize.unprocessableContent.body.json.error.message.contains("answers 2 int8 values"))
            #expect(try Set(observations.ok.body.json.items.map(\.id)) == Set(stored.map(\.id)))
        }
    }

    @Test func anotherUsersDevicesAreNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let (alice, bob, hers, project, iteration) = try await harness.aliceWithATrainedProjectAndBob()
            let (device, _) = try await harness.boardOnBridge("bench-1", in: hers, ownerID: alice.id)
            let install = try await harness.call(as: alice.credentials) {
                try await $0.createInstall(
                    .init(path: .init(projectId: project, deviceId: device), body: .json(.init(iterationId: iteration)))
                )
            }.accepted.body.json.id
            let bobsKey = try await harness.key(
                [.read, .write, .bridge], for: try await harness.project("his", ownerID: bob.id), ownerID: bob.id)
            // act
            let list = try await harness.call(as: bob.credentials) {
                try await $0.listDevices(.init(path: .init(projectId: project)))
            }
            let create = try await harness.call(as: bob.credentials) {
                try await $0.createDevice(.init(path: .init(projectId: project), body: .json(.init(name: "mine"))))
            }
            let read = try await harness.call(as: bob.credentials) {
                try await $0.getDevice(.init(path: .init(projectId: project, deviceId: device)))
            }
            let update = try await harness.call(as: bob.credentials) {
                try await $0.updateDevice(
                    .init(path: .init(projectId: project, deviceId: device), body: .json(.init(name: "mine"))))
            }
            let delete = try await harness.call(as: bob.credentials) {
                try await $0.deleteDevice(.init(path: .init(projectId: project, deviceId: device)))
            }
            let installOnHers = try await harness.call(as: bob.credentials) {
                try await $0.createInstall(
                    .init(path: .init(projectId: project, deviceId: device), body: .json(.init(iterationId: iteration)))
                )
            }
            let history = try await harness.call(as: bob.credentials) {
                try await $0.listInstalls(.init(path: .init(projectId: project, deviceId: device)))
            }
            let oneInstall = try await harness.call(as: bob.credentials) {
                try await $0.getInstall(.init(path: .init(projectId: project, deviceId: device, installId: install)))
            }
            let observations = try await harness.call(as: bob.credentials) {
                try await $0.listObservations(.init(path: .init(projectId: project, deviceId: device)))
            }
            let report = try await harness.call(as: bobsKey) {
                try await $0.createObservations(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(.init(items: [.init(output: [1, 2])]))))
            }
            // check
            #expect(try list.notFound.body.json.error.message == "Project not found.")
            #expect(try create.notFound.body.json.error.message == "Project not found.")
            for message in [
                try read.notFound.body.json, try update.notFound.body.json, try delete.notFound.body.json,
                try installOnHers.notFound.body.json, try history.notFound.body.json,
                try observations.notFound.body.json,
                try report.notFound.body.json,
            ].map(\.error.message) {
                #expect(message == "Device not found.")
            }
            #expect(try oneInstall.notFound.body.json.error.message == "Install not found.")
            let stillHers = try await harness.call(as: alice.credentials) {
                try await $0.getDevice(.init(path: .init(projectId: project, deviceId: device)))
            }
            #expect(try stillHers.ok.body.json.name == "bench-1" && stillHers.ok.body.json.lastInstall?.id == install)
        }
    }

    @Test func keysNeedTheirPermissionAndSomeoneMustSignIn() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let bench = try await harness.project("bench", ownerID: ada.id)
            let project = try bench.requireID().apiString
            let (device, bridgeKey) = try await harness.boardOnBridge("bench-1", in: bench, ownerID: ada.id)
            let reader = try await harness.key([.read], for: bench, ownerID: ada.id)
            // act
            let bridgeRegisters = try await harness.call(as: bridgeKey) {
                try await $0.createDevice(.init(path: .init(projectId: project), body: .json(.init(name: "k"))))
            }
            let bridgeReads = try await harness.call(as: bridgeKey) {
                try await $0.getDevice(.init(path: .init(projectId: project, deviceId: device)))
            }
            let readerReads = try await harness.call(as: reader) {
                try await $0.listDevices(.init(path: .init(projectId: project)))
            }
            let readerDeletes = try await harness.call(as: reader) {
                try await $0.deleteDevice(.init(path: .init(projectId: project, deviceId: device)))
            }
            let readerReports = try await harness.call(as: reader) {
                try await $0.createObservations(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(.init(items: [.init(output: [1, 2])]))))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.listDevices(.init(path: .init(projectId: project)))
            }
            let anonymousInstall = try await harness.call(as: nil) {
                try await $0.createInstall(
                    .init(
                        path: .init(projectId: project, deviceId: device),
                        body: .json(.init(iterationId: UUID().apiString))))
            }
            // check
            #expect(
                try bridgeRegisters.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(try bridgeReads.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            #expect(try readerReads.ok.body.json.items.map(\.name) == ["bench-1"])
            #expect(
                try readerDeletes.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(
                try readerReports.forbidden.body.json.error.message == "This API key lacks the \"bridge\" permission.")
            #expect(try anonymous.unauthorized.headers.wwwAuthenticate == "Bearer")
            _ = try anonymousInstall.unauthorized
        }
    }
}

extension HandlerHarness {
    static let emulatedPort = Components.Schemas.SerialPort(
        path: "/dev/serial/by-id/usb-Minnow_Emulated-if00", byId: "/dev/serial/by-id/usb-Minnow_Emulated-if00",
        usb: .init(vendorId: "0d28", productId: "0204", serialNumber: "EMU-0001"),
        description: "Arm DAPLink (board unknown)")

    /// A board (`mps2-an386`, USB serial EMU-0001) of `project`, attached to bridge "lab" by
    /// the bridge's first heartbeat; returns (device id, the bridge's key).
    func boardOnBridge(_ name: String, in project: Project, ownerID: UUID) async throws -> (String, Credentials) {
        let changes = DeviceRegistry.Changes(
            name: name, profile: "mps2-an386", usb: .init(serialNumber: Self.emulatedPort.usb?.serialNumber))
        let device = try await DeviceRegistry(db: db).create(in: project, changes).get()
        _ = try await BridgeRegistry(db: db).heartbeat(
            "lab", in: project, version: "1", hostname: "pi", ports: [SerialPortRecord(Self.emulatedPort)]
        ).get()
        return (try device.requireID().apiString, try await key([.bridge], for: project, ownerID: ownerID))
    }

    /// What a successful install leaves: `iteration` on the device.
    func markInstalled(_ iteration: Iteration, on deviceID: String) async throws {
        let device = try #require(try await Device.find(UUID(uuidString: deviceID), on: db))
        device.$installedIteration.id = try iteration.requireID()
        try await device.save(on: db)
    }

    /// The iteration's int8 model, as the server loads it.
    func loadedModel(of iteration: Iteration) async throws -> LoadedModel {
        let tflite = try #require(try await Blob.find(iteration.tfliteBlobID, on: db)?.content)
        return try LoadedModel(iteration: iteration, tflite: tflite, task: .classification)
    }
}
