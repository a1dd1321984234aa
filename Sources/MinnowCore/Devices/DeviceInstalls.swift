// Installs: a person asks for a trained iteration on a device; a worker builds the firmware
// (`FirmwareJob`), the device's bridge claims it, flashes it and reports each stage; the
// install succeeds only when the board's boot line carries the firmware's hash. Whoever
// holds an install (worker or bridge) holds it under a lease; `reapExpired` fails installs
// whose holder went quiet, so none stays "in progress" forever.
import FluentKit
import Firmware
import Foundation
import SQLKit

package struct DeviceInstalls {
    package let db: any Database
    /// How long a bridge's claim lasts without a progress report.
    package var leaseSeconds: Double = 60
    /// How long an install may wait for its bridge before it fails.
    package var readyTimeout: TimeInterval = 30 * 60
    /// Logs longer than this keep their end.
    package static let logLimit = 1 << 20

    package func list(for device: Device, page: Paging) async throws -> (items: [DeviceInstall], total: Int) {
        try await reapExpired()
        return try await DeviceInstall.query(on: db).filter(\.$device.$id == device.requireID())
            .with(\.$iteration).with(\.$requestedBy).with(\.$bridge).sort(\.$createdAt, .descending).page(page)
    }

    package func find(_ id: String, of device: Device) async throws -> DeviceInstall? {
        try await reapExpired()
        guard let id = UUID(uuidString: id) else { return nil }
        return try await DeviceInstall.query(on: db).filter(\.$id == id).filter(\.$device.$id == device.requireID())
            .with(\.$iteration).with(\.$requestedBy).with(\.$bridge).first()
    }

    /// The newest install of each device, for lists.
    package func latest(for devices: [Device]) async throws -> [UUID: DeviceInstall] {
        try await reapExpired()
        let ids = devices.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let installs = try await DeviceInstall.query(on: db).filter(\.$device.$id ~~ ids)
            .with(\.$iteration).with(\.$requestedBy).with(\.$bridge).sort(\.$createdAt, .descending).all()
        var latest: [UUID: DeviceInstall] = [:]
        for install in installs where latest[install.$device.id] == nil { latest[install.$device.id] = install }
        return latest
    }

    package func request(
        _ iterationID: String, on device: Device, in project: Project, by userID: UUID
    ) async throws -> Result<DeviceInstall, DomainFailure> {
        guard let id = UUID(uuidString: iterationID),
            let iteration = try await Iteration.query(on: db).filter(\.$id == id).filter(
                \.$project.$id == project.requireID()
            ).first()
        else { return .failure(.notFound("Iteration")) }
        guard iteration.status == .succeeded, iteration.tfliteBlobID != nil else {
            return .failure(
                .conflict(
                    "Iteration \(iteration.number) is \(iteration.status); only a trained iteration can be installed.",
                    field: "iterationId"))
        }
        guard let profileName = device.profile, let profile = BoardProfile.named(profileName) else {
            return .failure(
                .invalid(
                    "Device \(device.name) has no board profile; set one first (`minnow devices update \(device.name) --profile NAME`).",
                    field: "profile"))
        }
        guard FirmwareBuilder.canBuild(for: profile) else {
            return .failure(
                .invalid(
                    "Minnow cannot build bare-metal firmware for \(profile.displayName) yet; download the Arduino library for it instead.",
                    field: "profile"))
        }
        guard device.$bridge.id != nil else {
            return .failure(
                .invalid(
                    "Device \(device.name) is not on a bridge; plug it into a computer running `minnow bridge`.",
                    field: "bridge"))
        }
        if let running = try await DeviceInstall.query(on: db).filter(\.$device.$id == device.requireID())
            .filter(\.$status !~ [.succeeded, .failed]).first()
        {
            return .failure(
                .conflict(
                    "An install is already \(running.status.rawValue) on \(device.name); wait for it to end.",
                    field: nil))
        }
        let install = DeviceInstall()
        install.$device.id = try device.requireID()
        install.$iteration.id = try iteration.requireID()
        install.$requestedBy.id = userID
        install.status = .queued
        install.board = profile.name
        install.log = ""
        let projectID = try project.requireID()
        try await db.transaction { tx in
            try await install.create(on: tx)
            let job = Job(ownerID: userID, projectID: projectID, kind: .firmware)
            job.payload = try JSONText.encode(JobPayload.Firmware(installId: install.requireID()))
            job.maxAttempts = 2
            try await job.create(on: tx)
            install.jobID = try job.requireID()
            try await install.save(on: tx)
        }
        install.$iteration.value = iteration
        return .success(install)
    }

    /// Claims the oldest install ready for one of `bridge`'s devices, under a lease. (A long
    /// poll calls this a few times a second: it reaps expired claims once, before its loop.)
    package func claim(for bridge: Bridge) async throws -> DeviceInstall? {
        let bridgeID = try bridge.requireID()
        let ready = try await DeviceInstall.query(on: db).join(
            Device.self, on: \DeviceInstall.$device.$id == \Device.$id
        )
        .filter(Device.self, \.$bridge.$id == bridgeID).filter(\.$status == .ready).filter(\.$bridge.$id == nil)
        .sort(\.$createdAt).limit(5).all()
        for candidate in ready {
            let id = try candidate.requireID()
            let sql = db as! any SQLDatabase
            let taken = try await sql.raw(
                """
                UPDATE device_installs SET bridge_id = \(bind: bridgeID)
                WHERE id = \(bind: id) AND bridge_id IS NULL AND status = \(InstallStatus.ready.sqlLiteral) RETURNING id
                """
            ).all()
            guard !taken.isEmpty else { continue }  // another request of the same bridge took it
            guard
                let install = try await DeviceInstall.query(on: db).filter(\.$id == id)
                    .with(\.$iteration).with(\.$requestedBy).with(\.$bridge).with(\.$device).first()
            else { continue }
            install.leaseExpiresAt = Date().addingTimeInterval(leaseSeconds)
            install.log += "Claimed by bridge \(bridge.name).\n"
            try await install.save(on: db)
            return install
        }
        return nil
    }

    /// What a bridge reports about an install it holds.
    package struct Report {
        package var stage: InstallStatus
        package var log: String?
        package var error: String?
        package var failedStage: InstallStatus?
        package var reportedFirmwareHash: String?
        package var reportedModelHash: String?

        package init(
            stage: InstallStatus, log: String? = nil, error: String? = nil, failedStage: InstallStatus? = nil,
            reportedFirmwareHash: String? = nil, reportedModelHash: String? = nil
        ) {
            self.stage = stage
            self.log = log
            self.error = error
            self.failedStage = failedStage
            self.reportedFirmwareHash = reportedFirmwareHash
            self.reportedModelHash = reportedModelHash
        }
    }

    package func report(
        _ report: Report, on install: DeviceInstall, by bridge: Bridge
    ) async throws -> Result<DeviceInstall, DomainFailure> {
        guard install.$bridge.id == bridge.id else {
            return .failure(.conflict("This install is not held by bridge \(bridge.name).", field: nil))
        }
        guard !install.isFinished else {
            return .failure(
                .conflict(
                    "This install has already \(install.status.rawValue)\(install.error.map { ": \($0)" } ?? ".")",
                    field: nil))
        }
        if let log = report.log { appendLog(log, to: install) }
        switch report.stage {
        case .flashing, .verifying:
            install.status = report.stage
            install.leaseExpiresAt = Date().addingTimeInterval(leaseSeconds)
        case .succeeded:
            guard let reported = report.reportedFirmwareHash else {
                return .failure(
                    .invalid(
                        "A successful install reports the firmware hash the board printed.",
                        field: "reportedFirmwareHash"))
            }
            install.reportedFirmwareHash = reported
            if reported.lowercased() == install.firmwareHash {
                finish(install, as: .succeeded)
                try await markInstalled(install, modelHash: report.reportedModelHash)
            } else {
                fail(
                    install, at: .verifying,
                    "The board booted firmware \(reported.prefix(12)), not the installed \(install.firmwareHash?.prefix(12) ?? "?")."
                )
            }
        case .failed:
            let stage = report.failedStage ?? install.status
            fail(
                install, at: stage,
                report.error ?? "The bridge reported a failure while \(stage.rawValue); see the log.")
        case .queued, .building, .ready:
            return .failure(.invalid("A bridge reports flashing, verifying, succeeded or failed.", field: "stage"))
        }
        try await install.save(on: db)
        return .success(install)
    }

    /// Fails installs whose worker or bridge stopped reporting, and installs no bridge took in time.
    package func reapExpired(now: Date = Date()) async throws {
        let building = try await DeviceInstall.query(on: db).filter(\.$status ~~ [.queued, .building]).all()
        let jobIDs = building.compactMap(\.jobID)
        if !jobIDs.isEmpty {
            let ended = try await Job.query(on: db).filter(\.$id ~~ jobIDs).filter(
                \.$status ~~ [JobStatus.failed, .canceled]
            ).all()
            let reasons = Dictionary(
                ended.map { ($0.id!, $0.error ?? "The firmware job \($0.status).") }, uniquingKeysWith: { a, _ in a })
            for install in building {
                guard let jobID = install.jobID, let reason = reasons[jobID] else { continue }
                fail(install, at: install.status, reason)
                try await install.save(on: db)
            }
        }
        let stale = try await DeviceInstall.query(on: db).filter(\.$status ~~ [.ready, .flashing, .verifying]).all()
        for install in stale {
            if install.status == .ready, let lease = install.leaseExpiresAt, lease < now {
                // Claimed, then never started (the bridge died, or a long poll outlived its
                // client): nothing touched the board, so the install goes back to the queue.
                install.$bridge.id = nil
                install.leaseExpiresAt = nil
                appendLog(
                    "The bridge did not start the install within \(Int(leaseSeconds)) s; it is back in the queue.\n",
                    to: install)
            } else if let lease = install.leaseExpiresAt, lease < now {
                fail(
                    install, at: install.status,
                    "The bridge stopped reporting while \(install.status.rawValue) (no report for \(Int(leaseSeconds)) s); the board may hold the old or a partial firmware. Install again."
                )
            } else if install.leaseExpiresAt == nil, install.$bridge.id == nil, let created = install.updatedAt,
                now.timeIntervalSince(created) > readyTimeout
            {
                fail(
                    install, at: .ready,
                    "No bridge picked the install up within \(Int(readyTimeout / 60)) minutes; is `minnow bridge` running where the device is plugged in?"
                )
            } else {
                continue
            }
            try await install.save(on: db)
        }
    }

    package func fail(_ install: DeviceInstall, at stage: InstallStatus, _ message: String) {
        install.failedStage = stage
        install.error = message
        appendLog("Failed while \(stage.rawValue): \(message)\n", to: install)
        finish(install, as: .failed)
    }

    private func finish(_ install: DeviceInstall, as status: InstallStatus) {
        install.status = status
        install.leaseExpiresAt = nil
        install.finishedAt = Date()
    }

    private func appendLog(_ text: String, to install: DeviceInstall) {
        install.log += text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
        if install.log.utf8.count > Self.logLimit {
            install.log = "[… earlier log cut]\n" + String(install.log.suffix(Self.logLimit / 2))
        }
    }

    private func markInstalled(_ install: DeviceInstall, modelHash: String?) async throws {
        guard let device = try await Device.find(install.$device.id, on: db) else { return }
        device.$installedIteration.id = install.$iteration.id
        device.installedFirmwareHash = install.reportedFirmwareHash
        device.installedModelHash = modelHash ?? install.modelHash
        device.lastSeenAt = Date()
        try await device.save(on: db)
    }

    package init(db: any Database, leaseSeconds: Double = 60, readyTimeout: TimeInterval = 30 * 60) {
        self.db = db
        self.leaseSeconds = leaseSeconds
        self.readyTimeout = readyTimeout
    }
}
