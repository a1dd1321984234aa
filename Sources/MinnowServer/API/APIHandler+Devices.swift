// Devices: register boards, change them, install a trained iteration on one (the worker
// builds the firmware, the bridge flashes and verifies it), read the install history and
// what the board reported. Another user's devices are 404, like a missing one.
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func listDevices(_ input: Operations.ListDevices.Input) async throws -> Operations.ListDevices.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let page = Paging(page: input.query.page, perPage: input.query.perPage)
            let (devices, total) = try await DeviceRegistry(db: db).list(in: project, page: page)
            let latest = try await installs(db).latest(for: devices)
            let items = try devices.map { try $0.api(lastInstall: latest[$0.id ?? UUID()], now: dependencies.clock()) }
            return .ok(.init(body: .json(.init(items: items, metadata: page.metadata(total: total)))))
        }
    }

    func createDevice(_ input: Operations.CreateDevice.Input) async throws -> Operations.CreateDevice.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .write, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let changes = DeviceRegistry.Changes(
                name: body.name, profile: body.profile, bridge: body.bridge, usb: body.usb.map(\.identity),
                deployment: body.deployment)
            let kind: DeviceKind = body.kind == .camera ? .camera : .board
            switch try await DeviceRegistry(db: db).create(in: project, kind: kind, changes) {
            case .success(let device): return .created(.init(body: .json(try device.api(now: dependencies.clock()))))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func getDevice(_ input: Operations.GetDevice.Input) async throws -> Operations.GetDevice.Output {
        try await answer { principal, db in
            guard
                let (_, device) = try await device(input.path.projectId, input.path.deviceId, principal, .read, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Device"))))
            }
            let latest = try await installs(db).latest(for: [device])
            return .ok(
                .init(body: .json(try device.api(lastInstall: latest[device.id ?? UUID()], now: dependencies.clock()))))
        }
    }

    func updateDevice(_ input: Operations.UpdateDevice.Input) async throws -> Operations.UpdateDevice.Output {
        try await answer { principal, db in
            guard
                let (project, device) = try await device(
                    input.path.projectId, input.path.deviceId, principal, .write, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Device"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let changes = DeviceRegistry.Changes(
                name: body.name, profile: body.profile, bridge: body.bridge, usb: body.usb.map(\.identity),
                deployment: body.deployment)
            switch try await DeviceRegistry(db: db).update(device, in: project, changes) {
            case .success(let device): return .ok(.init(body: .json(try device.api(now: dependencies.clock()))))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func deleteDevice(_ input: Operations.DeleteDevice.Input) async throws -> Operations.DeleteDevice.Output {
        try await answer { principal, db in
            guard
                let (_, device) = try await device(input.path.projectId, input.path.deviceId, principal, .write, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Device"))))
            }
            try await DeviceRegistry(db: db).delete(device)
            return .noContent(.init())
        }
    }

    func listInstalls(_ input: Operations.ListInstalls.Input) async throws -> Operations.ListInstalls.Output {
        try await answer { principal, db in
            guard
                let (_, device) = try await device(input.path.projectId, input.path.deviceId, principal, .read, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Device"))))
            }
            let page = Paging(page: input.query.page, perPage: input.query.perPage)
            let (items, total) = try await installs(db).list(for: device, page: page)
            return .ok(
                .init(
                    body: .json(
                        .init(
                            items: try items.map { try $0.api(withLog: false) }, metadata: page.metadata(total: total)))
                ))
        }
    }

    func createInstall(_ input: Operations.CreateInstall.Input) async throws -> Operations.CreateInstall.Output {
        try await answer { principal, db in
            guard
                let (project, device) = try await device(
                    input.path.projectId, input.path.deviceId, principal, .write, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Device"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            switch try await installs(db).request(body.iterationId, on: device, in: project, by: principal.userID) {
            case .success(let install):
                CurrentRequest.logger.info(
                    "install requested",
                    metadata: ["device": "\(device.name)", "iteration": "\(install.$iteration.value?.number ?? 0)"])
                let stored = try await installs(db).find(install.requireID().uuidString, of: device) ?? install
                return .accepted(.init(body: .json(try stored.api(withLog: true))))
            case .failure(.notFound(let what)): return .notFound(.init(body: .json(.notFound(what))))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func getInstall(_ input: Operations.GetInstall.Input) async throws -> Operations.GetInstall.Output {
        try await answer { principal, db in
            guard
                let (_, device) = try await device(input.path.projectId, input.path.deviceId, principal, .read, on: db),
                let install = try await installs(db).find(input.path.installId, of: device)
            else { return .notFound(.init(body: .json(.notFound("Install")))) }
            return .ok(.init(body: .json(try install.api(withLog: true))))
        }
    }

    func listObservations(_ input: Operations.ListObservations.Input) async throws -> Operations.ListObservations.Output
    {
        try await answer { principal, db in
            guard
                let (_, device) = try await device(input.path.projectId, input.path.deviceId, principal, .read, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Device"))))
            }
            let page = Paging(page: input.query.page, perPage: input.query.perPage)
            let (items, total) = try await observations(db).list(for: device, page: page)
            return .ok(
                .init(body: .json(.init(items: try items.map { try $0.api() }, metadata: page.metadata(total: total)))))
        }
    }

    func createObservations(
        _ input: Operations.CreateObservations.Input
    ) async throws -> Operations.CreateObservations.Output {
        try await answer { principal, db in
            guard
                let (project, device) = try await device(
                    input.path.projectId, input.path.deviceId, principal, .bridge, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Device"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            guard (1...100).contains(body.items.count) else {
                return .unprocessableContent(.init(body: .json(.invalid("Send 1–100 observations at a time."))))
            }
            let drafts = body.items.map {
                DeviceObservations.Draft(
                    output: $0.output, ticks: $0.ticks, inputSHA256: $0.inputSha256,
                    imageID: $0.imageId.flatMap(UUID.init(uuidString:)), observedAt: $0.observedAt)
            }
            switch try await observations(db).record(drafts, from: device, in: project) {
            case .success(let stored):
                return .created(.init(body: .json(.init(items: try stored.map { try $0.api() }))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func installs(_ db: any Database) -> DeviceInstalls {
        DeviceInstalls(db: db, leaseSeconds: services.config.installLeaseSeconds)
    }

    private func observations(_ db: any Database) -> DeviceObservations {
        DeviceObservations(db: db, models: services.models)
    }

    /// The device of the project, if the principal may act on the project with `permission`.
    func device(
        _ projectID: String, _ deviceID: String, _ principal: Principal, _ permission: Permission,
        on db: any Database
    ) async throws -> (Project, Device)? {
        guard let project = try await project(projectID, principal, permission, on: db),
            let device = try await DeviceRegistry(db: db).find(deviceID, in: project)
        else { return nil }
        return (project, device)
    }
}

extension Components.Schemas.USBIdentity {
    var identity: DeviceRegistry.USBIdentity {
        .init(vendorID: vendorId, productID: productId, serialNumber: serialNumber)
    }
}

extension Operations.ListDevices.Output: RefusableOutput {}
extension Operations.CreateDevice.Output: RefusableOutput {}
extension Operations.GetDevice.Output: RefusableOutput {}
extension Operations.UpdateDevice.Output: RefusableOutput {}
extension Operations.DeleteDevice.Output: RefusableOutput {}
extension Operations.ListInstalls.Output: RefusableOutput {}
extension Operations.CreateInstall.Output: RefusableOutput {}
extension Operations.GetInstall.Output: RefusableOutput {}
extension Operations.ListObservations.Output: RefusableOutput {}
extension Operations.CreateObservations.Output: RefusableOutput {}
