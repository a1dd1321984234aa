import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import OpenAPIRuntime
import Testing

@Suite("Bridge handlers")
struct BridgeHandlerTests {
    @Test func heartbeatClaimDownloadReportAndForget() async throws {
        try await HandlerHarness.with { harness in
            // setup: a board, a trained iteration, and the bridge's key
            let ada = try await harness.person("ada")
            let bench = try await harness.project("bench", ownerID: ada.id)
            let project = try bench.requireID().apiString
            let iteration = try await harness.trainedIteration(of: bench).requireID().apiString
            let changes = DeviceRegistry.Changes(
                name: "bench-1", profile: "mps2-an386", usb: .init(serialNumber: "EMU-0001"))
            let device = try await DeviceRegistry(db: harness.db).create(in: bench, changes).get().requireID().apiString
            let bridge = try await harness.key([.bridge], for: bench, ownerID: ada.id)
            let lab = Operations.ClaimInstall.Input.Path(projectId: project, bridgeName: "lab")
            // act: the first heartbeat registers the bridge and attaches the board
            let beat = try await harness.call(as: bridge) {
                try await $0.bridgeHeartbeat(
                    .init(
                        path: .init(projectId: project, bridgeName: "lab"),
                        body: .json(.init(version: "1", hostname: "pi", ports: [HandlerHarness.emulatedPort]))))
            }
            let listed = try await harness.call(as: ada.credentials) {
                try await $0.listBridges(.init(path: .init(projectId: project)))
            }
            let nothingYet = try await harness.call(as: bridge) {
                try await $0.claimInstall(.init(path: lab, query: .init(wait: 0)))
            }
            let install = try await harness.call(as: ada.credentials) {
                try await $0.createInstall(
                    .init(path: .init(projectId: project, deviceId: device), body: .json(.init(iterationId: iteration)))
                )
            }.accepted.body.json.id
            let firmware = try await harness.built(install)
            let claimed = try await harness.call(as: bridge) {
                try await $0.claimInstall(.init(path: lab, query: .init(wait: 0)))
            }
            let installPath = Operations.DownloadInstallFirmware.Input.Path(
                projectId: project, bridgeName: "lab", installId: install)
            let downloaded = try await harness.call(as: bridge) {
                try await $0.downloadInstallFirmware(.init(path: installPath))
            }
            let flashing = try await harness.call(as: bridge) {
                try await $0.reportInstallProgress(
                    .init(
                        path: .init(projectId: project, bridgeName: "lab", installId: install),
                        body: .json(.init(stage: .flashing, log: "flashing\n"))))
            }
            let bigLog = try await harness.call(as: bridge) {
                try await $0.reportInstallProgress(
                    .init(
                        path: .init(projectId: project, bridgeName: "lab", installId: install),
                        body: .json(.init(stage: .verifying, log: String(repeating: "x", count: 256 << 10 + 1)))))
            }
            let succeeded = try await harness.call(as: bridge) {
                try await $0.reportInstallProgress(
                    .init(
                        path: .init(projectId: project, bridgeName: "lab", installId: install),
                        body: .json(.init(stage: .succeeded, reportedFirmwareHash: firmware.hash))))
            }
            let afterEnd = try await harness.call(as: bridge) {
                try await $0.reportInstallProgress(
                    .init(
                        path: .init(projectId: project, bridgeName: "lab", installId: install),
                        body: .json(.init(stage: .flashing))))
            }
            let board = try await harness.call(as: ada.credentials) {
                try await $0.getDevice(.init(path: .init(projectId: project, deviceId: device)))
            }
            let forgotten = try await harness.call(as: ada.credentials) {
                try await $0.deleteBridge(.init(path: .init(projectId: project, bridgeName: "lab")))
            }
            let afterwards = try await harness.call(as: ada.credentials) {
                try await $0.listBridges(.init(path: .init(projectId: project)))
            }
            // check
            let heartbeat = try beat.ok.body.json
            #expect(
                heartbeat.bridge.name == "lab" && heartbeat.bridge.hostname == "pi"
                    && heartbeat.heartbeatSeconds == Bridge.heartbeatSeconds)
            #expect(heartbeat.devices.map(\.name) == ["bench-1"] && heartbeat.devices.first?.status == .online)
            #expect(heartbeat.devices.first?.port == HandlerHarness.emulatedPort.path)
            let bridges = try listed.ok.body.json.items
            #expect(
                bridges.map(\.name) == ["lab"] && bridges.first?.online == true
                    && bridges.first?.ports == [HandlerHarness.emulatedPort])
            _ = try nothingYet.noContent
            let claim = try claimed.ok.body.json
            #expect(claim.install.id == install && claim.device.id == device && claim.firmwareHash == firmware.hash)
            #expect(claim.firmwareUrl == "/v1/projects/\(project)/bridges/lab/installs/\(install)/firmware")
            #expect(claim.leaseSeconds == Int(harness.services.config.installLeaseSeconds))
            guard case .binary(let body) = try downloaded.ok.body else {
                Issue.record("the firmware was not binary"); return
            }
            #expect(Data(try await ArraySlice(collecting: body, upTo: 1 << 20)) == firmware.bytes)
            #expect(try flashing.ok.body.json.status == .flashing)
            #expect(
                try bigLog.unprocessableContent.body.json.error.message
                    == "A progress report carries at most 256 KB of log.")
            #expect(try succeeded.ok.body.json.status == .succeeded)
            #expect(try afterEnd.conflict.body.json.error.message.hasPrefix("This install has already succeeded"))
            #expect(
                try board.ok.body.json.installedIterationId == iteration
                    && board.ok.body.json.installedFirmwareHash == firmware.hash)
            _ = try forgotten.noContent
            #expect(try afterwards.ok.body.json.items.isEmpty)
        }
    }

    @Test func onlineIsJudgedByTheHandlersClock() async throws {
        // the handler's clock reads an hour after the heartbeat the board and bridge sent
        try await HandlerHarness.with(clock: { Date().addingTimeInterval(3600) }) { harness in
            // setup
            let ada = try await harness.person("ada")
            let bench = try await harness.project("bench", ownerID: ada.id)
            let project = try bench.requireID().apiString
            let (device, _) = try await harness.boardOnBridge("bench-1", in: bench, ownerID: ada.id)
            // act
            let bridges = try await harness.call(as: ada.credentials) {
                try await $0.listBridges(.init(path: .init(projectId: project)))
            }
            let board = try await harness.call(as: ada.credentials) {
                try await $0.getDevice(.init(path: .init(projectId: project, deviceId: device)))
            }
            // check: both were seen just now by the wall clock, an hour ago by the handler's
            #expect(try bridges.ok.body.json.items.map(\.online) == [false])
            #expect(try board.ok.body.json.status == .offline)
        }
    }

    @Test func anotherUsersBridgeIsNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup: alice's bridge holds an install
            let (alice, bob, hers, project, iteration) = try await harness.aliceWithATrainedProjectAndBob()
            let (device, herBridge) = try await harness.boardOnBridge("bench-1", in: hers, ownerID: alice.id)
            let install = try await harness.call(as: alice.credentials) {
                try await $0.createInstall(
                    .init(path: .init(projectId: project, deviceId: device), body: .json(.init(iterationId: iteration)))
                )
            }.accepted.body.json.id
            _ = try await harness.built(install)
            _ = try await harness.call(as: herBridge) {
                try await $0.claimInstall(
                    .init(path: .init(projectId: project, bridgeName: "lab"), query: .init(wait: 0)))
            }.ok
            let his = try await harness.project("his", ownerID: bob.id)
            let hisBridge = try await harness.key([.bridge, .read, .write], for: his, ownerID: bob.id)
            let installPath = Operations.DownloadInstallFirmware.Input.Path(
                projectId: project, bridgeName: "lab", installId: install)
            // act
            let list = try await harness.call(as: bob.credentials) {
                try await $0.listBridges(.init(path: .init(projectId: project)))
            }
            let beat = try await harness.call(as: hisBridge) {
                try await $0.bridgeHeartbeat(
                    .init(path: .init(projectId: project, bridgeName: "lab"), body: .json(.init(ports: []))))
            }
            let claim = try await harness.call(as: bob.credentials) {
                try await $0.claimInstall(
                    .init(path: .init(projectId: project, bridgeName: "lab"), query: .init(wait: 0)))
            }
            let download = try await harness.call(as: bob.credentials) {
                try await $0.downloadInstallFirmware(.init(path: installPath))
            }
            let report = try await harness.call(as: hisBridge) {
                try await $0.reportInstallProgress(
                    .init(
                        path: .init(projectId: project, bridgeName: "lab", installId: install),
                        body: .json(.init(stage: .failed, error: "sabotage"))))
            }
            let inputs = try await harness.call(as: bob.credentials) {
                try await $0.getInstallCheckInputs(
                    .init(path: .init(projectId: project, bridgeName: "lab", installId: install)))
            }
            let delete = try await harness.call(as: bob.credentials) {
                try await $0.deleteBridge(.init(path: .init(projectId: project, bridgeName: "lab")))
            }
            let hisOwnLab = try await harness.call(as: hisBridge) {
                try await $0.downloadInstallFirmware(
                    .init(path: .init(projectId: try his.requireID().apiString, bridgeName: "lab", installId: install)))
            }
            // check
            #expect(try list.notFound.body.json.error.message == "Project not found.")
            #expect(try beat.notFound.body.json.error.message == "Project not found.")
            #expect(try claim.notFound.body.json.error.message == "Bridge not found.")
            #expect(try download.notFound.body.json.error.message == "Install not found.")
            #expect(try report.notFound.body.json.error.message == "Install not found.")
            #expect(try inputs.notFound.body.json.error.message == "Install not found.")
            #expect(try delete.notFound.body.json.error.message == "Bridge not found.")
            _ = try hisOwnLab.notFound
            let stillHers = try await harness.call(as: alice.credentials) {
                try await $0.getInstall(.init(path: .init(projectId: project, deviceId: device, installId: install)))
            }
            #expect(try stillHers.ok.body.json.status == .ready && stillHers.ok.body.json.bridge == "lab")
        }
    }

    @Test func keysNeedTheBridgePermissionAndSomeoneMustSignIn() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let bench = try await harness.project("bench", ownerID: ada.id)
            let project = try bench.requireID().apiString
            let (_, bridge) = try await harness.boardOnBridge("bench-1", in: bench, ownerID: ada.id)
            let reader = try await harness.key([.read, .write], for: bench, ownerID: ada.id)
            let lab = Operations.BridgeHeartbeat.Input.Path(projectId: project, bridgeName: "lab")
            // act
            let readerBeats = try await harness.call(as: reader) {
                try await $0.bridgeHeartbeat(.init(path: lab, body: .json(.init(ports: []))))
            }
            let readerClaims = try await harness.call(as: reader) {
                try await $0.claimInstall(
                    .init(path: .init(projectId: project, bridgeName: "lab"), query: .init(wait: 0)))
            }
            let readerLists = try await harness.call(as: reader) {
                try await $0.listBridges(.init(path: .init(projectId: project)))
            }
            let bridgeLists = try await harness.call(as: bridge) {
                try await $0.listBridges(.init(path: .init(projectId: project)))
            }
            let bridgeDeletes = try await harness.call(as: bridge) {
                try await $0.deleteBridge(.init(path: .init(projectId: project, bridgeName: "lab")))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.bridgeHeartbeat(.init(path: lab, body: .json(.init(ports: []))))
            }
            let anonymousList = try await harness.call(as: nil) {
                try await $0.listBridges(.init(path: .init(projectId: project)))
            }
            // check
            #expect(
                try readerBeats.forbidden.body.json.error.message == "This API key lacks the \"bridge\" permission.")
            _ = try readerClaims.forbidden
            #expect(try readerLists.ok.body.json.items.map(\.name) == ["lab"])
            #expect(try bridgeLists.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            #expect(
                try bridgeDeletes.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(try anonymous.unauthorized.headers.wwwAuthenticate == "Bearer")
            _ = try anonymousList.unauthorized
        }
    }
}

extension HandlerHarness {
    /// What the firmware job leaves: the install `ready`, with firmware bytes and their hash.
    func built(_ installID: String) async throws -> (bytes: Data, hash: String) {
        let install = try #require(try await DeviceInstall.find(UUID(uuidString: installID), on: db))
        let elf = Data("\u{7F}ELF firmware of install \(installID)".utf8)
        let blob = try await DatabaseBlobStore(database: db, references: BlobReferences.all).put(elf)
        install.status = .ready
        install.firmwareBlobID = blob.hex
        install.firmwareHash = blob.hex
        install.firmwareBytes = elf.count
        try await install.save(on: db)
        return (elf, blob.hex)
    }
}
