// Bridges: `minnow bridge` heartbeats with the ports it sees (registering itself on the
// first), long-polls for installs to carry out, downloads their firmware and reports each
// stage. Every bridge call needs an API key with the `bridge` permission for the project.
import APITypes
import Fluent
import Foundation
import MinnowCore
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func listBridges(_ input: Operations.ListBridges.Input) async throws -> Operations.ListBridges.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let bridges = try await BridgeRegistry(db: db).list(in: project)
            return .ok(.init(body: .json(.init(items: try bridges.map { try $0.api(now: dependencies.clock()) }))))
        }
    }

    func deleteBridge(_ input: Operations.DeleteBridge.Input) async throws -> Operations.DeleteBridge.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .write, on: db),
                let bridge = try await BridgeRegistry(db: db).find(input.path.bridgeName, in: project)
            else { return .notFound(.init(body: .json(.notFound("Bridge")))) }
            try await BridgeRegistry(db: db).delete(bridge)
            return .noContent(.init())
        }
    }

    func bridgeHeartbeat(_ input: Operations.BridgeHeartbeat.Input) async throws -> Operations.BridgeHeartbeat.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .bridge, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let ports = body.ports.map(SerialPortRecord.init)
            switch try await BridgeRegistry(db: db).heartbeat(
                input.path.bridgeName, in: project, version: body.version,
                hostname: body.hostname, ports: ports)
            {
            case .success(let (bridge, devices)):
                let latest = try await installs(db).latest(for: devices)
                return .ok(
                    .init(
                        body: .json(
                            .init(
                                bridge: try bridge.api(now: dependencies.clock()),
                                devices: try devices.map {
                                    try $0.api(lastInstall: latest[$0.id ?? UUID()], now: dependencies.clock())
                                },
                                heartbeatSeconds: Bridge.heartbeatSeconds))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func claimInstall(_ input: Operations.ClaimInstall.Input) async throws -> Operations.ClaimInstall.Output {
        try await answer { principal, db in
            guard
                let (project, bridge) = try await bridge(input.path.projectId, input.path.bridgeName, principal, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Bridge"))))
            }
            let deadline = ContinuousClock.now + .seconds(min(60, max(0, input.query.wait ?? 25)))
            let installs = installs(db)
            try await installs.reapExpired()
            while true {
                if let install = try await installs.claim(for: bridge) {
                    guard let device = try await DeviceRegistry(db: db).find(install.$device.id.uuidString, in: project)
                    else { continue }
                    let installID = try install.requireID().apiString
                    return .ok(
                        .init(
                            body: .json(
                                .init(
                                    install: try install.api(withLog: false),
                                    device: try device.api(now: dependencies.clock()),
                                    firmwareHash: install.firmwareHash ?? "",
                                    firmwareUrl:
                                        "/v1/projects/\(project.id!.apiString)/bridges/\(bridge.name)/installs/\(installID)/firmware",
                                    leaseSeconds: Int(installs.leaseSeconds)))))
                }
                guard ContinuousClock.now < deadline else { return .noContent(.init()) }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    func downloadInstallFirmware(
        _ input: Operations.DownloadInstallFirmware.Input
    ) async throws -> Operations.DownloadInstallFirmware.Output {
        try await answer { principal, db in
            guard let (_, bridge) = try await bridge(input.path.projectId, input.path.bridgeName, principal, on: db),
                let install = try await heldInstall(input.path.installId, by: bridge, on: db)
            else { return .notFound(.init(body: .json(.notFound("Install")))) }
            // Only a built install can be claimed and nothing removes its firmware, so a held
            // install without it is the server's fault, not the bridge's.
            guard let blobID = install.firmwareBlobID.flatMap(BlobID.init(hex:)),
                let elf = try await blobStore(on: db).get(blobID)
            else {
                throw Abort(
                    .internalServerError, reason: "held install \(install.id?.uuidString ?? "?") has no firmware blob")
            }
            return .ok(.init(body: .binary(HTTPBody(elf))))
        }
    }

    func reportInstallProgress(
        _ input: Operations.ReportInstallProgress.Input
    ) async throws -> Operations.ReportInstallProgress.Output {
        try await answer { principal, db in
            guard let (_, bridge) = try await bridge(input.path.projectId, input.path.bridgeName, principal, on: db),
                let install = try await heldInstall(input.path.installId, by: bridge, on: db)
            else { return .notFound(.init(body: .json(.notFound("Install")))) }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            if let log = body.log, log.utf8.count > 256 << 10 {
                return .unprocessableContent(
                    .init(body: .json(.invalid("A progress report carries at most 256 KB of log."))))
            }
            let report = DeviceInstalls.Report(
                stage: InstallStatus(rawValue: body.stage.rawValue) ?? .failed, log: body.log, error: body.error,
                failedStage: body.failedStage.flatMap { InstallStatus(rawValue: $0.rawValue) },
                reportedFirmwareHash: body.reportedFirmwareHash, reportedModelHash: body.reportedModelHash)
            switch try await installs(db).report(report, on: install, by: bridge) {
            case .success(let install):
                CurrentRequest.logger.info(
                    "install progress", metadata: ["install": "\(install.id!)", "status": "\(install.status.rawValue)"])
                return .ok(.init(body: .json(try install.api(withLog: false))))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func getInstallCheckInputs(
        _ input: Operations.GetInstallCheckInputs.Input
    ) async throws -> Operations.GetInstallCheckInputs.Output {
        try await answer { principal, db in
            guard
                let (project, bridge) = try await bridge(
                    input.path.projectId, input.path.bridgeName, principal, on: db),
                let install = try await heldInstall(input.path.installId, by: bridge, on: db)
            else { return .notFound(.init(body: .json(.notFound("Install")))) }
            let count = min(64, max(1, input.query.count ?? 8))
            let inputs = try await DeviceCheckInputs(db: db, models: services.models).inputs(
                of: install.iteration, task: project.task, count: count)
            return .ok(
                .init(
                    body: .json(
                        .init(
                            items: inputs.map {
                                .init(
                                    imageId: $0.image.imageID.apiString, fileName: $0.image.fileName,
                                    label: $0.image.label,
                                    inputHex: $0.input.map {
                                        String(UInt8(bitPattern: $0), radix: 16).leftPadded(to: 2)
                                    }.joined())
                            }))))
        }
    }

    private func bridge(
        _ projectID: String, _ name: String, _ principal: Principal, on db: any Database
    ) async throws -> (Project, Bridge)? {
        guard let project = try await project(projectID, principal, .bridge, on: db),
            let bridge = try await BridgeRegistry(db: db).find(name, in: project)
        else { return nil }
        return (project, bridge)
    }

    /// An install of this bridge's project that this bridge claimed.
    private func heldInstall(_ id: String, by bridge: Bridge, on db: any Database) async throws -> DeviceInstall? {
        guard let id = UUID(uuidString: id) else { return nil }
        return try await DeviceInstall.query(on: db).filter(\.$id == id).filter(\.$bridge.$id == bridge.requireID())
            .with(\.$iteration).with(\.$requestedBy).with(\.$bridge).first()
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Operations.ListBridges.Output: RefusableOutput {}
extension Operations.DeleteBridge.Output: RefusableOutput {}
extension Operations.BridgeHeartbeat.Output: RefusableOutput {}
extension Operations.ClaimInstall.Output: RefusableOutput {}
extension Operations.DownloadInstallFirmware.Output: RefusableOutput {}
extension Operations.ReportInstallProgress.Output: RefusableOutput {}
extension Operations.GetInstallCheckInputs.Output: RefusableOutput {}
