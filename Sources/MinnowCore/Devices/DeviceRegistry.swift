// Device actions shared by the JSON API and the web pages: list, register, change and
// forget the boards and cameras of a project. Names and USB serial numbers are unique in a
// project; a board profile must be one Minnow knows; a bridge and a camera's deployment are
// named by their names (a deployment of this project).
import FluentKit
import Firmware
import Foundation

package struct DeviceRegistry {
    package let db: any Database

    /// What a person may set on a device; nil leaves a field as it is.
    package struct Changes {
        package var name: String?
        package var profile: String?
        /// A bridge's name; "" detaches the device.
        package var bridge: String?
        package var usb: USBIdentity?
        /// Cameras: a deployment's name; "" unlinks it.
        package var deployment: String?

        package init(
            name: String? = nil, profile: String? = nil, bridge: String? = nil, usb: USBIdentity? = nil,
            deployment: String? = nil
        ) {
            self.name = name
            self.profile = profile
            self.bridge = bridge
            self.usb = usb
            self.deployment = deployment
        }
    }

    package struct USBIdentity: Equatable {
        package var vendorID: String?
        package var productID: String?
        package var serialNumber: String?

        package init(vendorID: String? = nil, productID: String? = nil, serialNumber: String? = nil) {
            self.vendorID = vendorID
            self.productID = productID
            self.serialNumber = serialNumber
        }
    }

    package func list(in project: Project, page: Paging) async throws -> (items: [Device], total: Int) {
        try await Device.query(on: db).filter(\.$project.$id == project.requireID())
            .with(\.$bridge).with(\.$installedIteration).with(\.$deployment).sort(\.$name).page(page)
    }

    package func find(_ id: String, in project: Project) async throws -> Device? {
        guard let id = UUID(uuidString: id) else { return nil }
        return try await Device.query(on: db).filter(\.$id == id).filter(\.$project.$id == project.requireID())
            .with(\.$bridge).with(\.$installedIteration).with(\.$deployment).first()
    }

    /// A device of `ownerID`'s project with the project and the device's deployment, in one
    /// query (reading a camera's frame needs nothing else).
    package func withProjectAndDeployment(
        _ id: UUID, in projectID: UUID, ownerID: UUID
    ) async throws -> (Project, Device)? {
        guard
            let device = try await Device.query(on: db)
                .join(Project.self, on: \Device.$project.$id == \Project.$id)
                .join(Deployment.self, on: \Device.$deployment.$id == \Deployment.$id, method: .left)
                .filter(\.$id == id).filter(\.$project.$id == projectID).filter(Project.self, \.$owner.$id == ownerID)
                .first()
        else { return nil }
        device.$deployment.value = .some(device.$deployment.id == nil ? nil : try device.joined(Deployment.self))
        return (try device.joined(Project.self), device)
    }

    package func create(
        in project: Project, kind: DeviceKind = .board, _ changes: Changes
    ) async throws -> Result<Device, DomainFailure> {
        guard let name = changes.name else { return .failure(.invalid("A device needs a name.", field: "name")) }
        let device = Device(projectID: try project.requireID(), name: name, kind: kind)
        return try await apply(changes, to: device, in: project)
    }

    package func update(
        _ device: Device, in project: Project, _ changes: Changes
    ) async throws -> Result<Device, DomainFailure> {
        try await apply(changes, to: device, in: project)
    }

    package func delete(_ device: Device) async throws {
        try await device.delete(on: db)
    }

    private func apply(
        _ changes: Changes, to device: Device, in project: Project
    ) async throws -> Result<Device, DomainFailure> {
        let projectID = try project.requireID()
        if let name = changes.name {
            if let problem = DeviceNames.problem(with: name) { return .failure(.invalid(problem, field: "name")) }
            if try await Device.query(on: db).filter(\.$project.$id == projectID).filter(\.$name == name)
                .filter(\.$id != device.id ?? UUID()).first() != nil
            {
                return .failure(
                    .conflict("A device named \"\(name)\" exists in this project; choose another name.", field: "name"))
            }
            device.name = name
        }
        if let profile = changes.profile {
            guard let known = BoardProfile.named(profile) else {
                let names = BoardProfile.all.map(\.name).joined(separator: ", ")
                return .failure(
                    .invalid("Unknown board profile \"\(profile)\"; choose one of \(names).", field: "profile"))
            }
            device.profile = known.name
        }
        if let bridgeName = changes.bridge {
            if bridgeName.isEmpty {
                device.$bridge.id = nil
                device.$bridge.value = .some(nil)
                device.port = nil
            } else {
                guard
                    let bridge = try await Bridge.query(on: db).filter(\.$project.$id == projectID).filter(
                        \.$name == bridgeName
                    ).first()
                else {
                    return .failure(
                        .invalid(
                            "No bridge named \"\(bridgeName)\" in this project; start `minnow bridge --name \(bridgeName)` first.",
                            field: "bridge"))
                }
                if device.$bridge.id != bridge.id { device.port = nil }
                device.$bridge.id = try bridge.requireID()
                device.$bridge.value = bridge
            }
        }
        if let deploymentName = changes.deployment {
            if deploymentName.isEmpty {
                device.$deployment.id = nil
                device.$deployment.value = .some(nil)
            } else {
                guard device.kind == .camera else {
                    return .failure(
                        .invalid(
                            "Only cameras read frames with a deployment; install an iteration on a board instead.",
                            field: "deployment"))
                }
                guard
                    let deployment = try await Deployment.query(on: db).filter(\.$project.$id == projectID).filter(
                        \.$name == deploymentName
                    ).first()
                else {
                    return .failure(
                        .invalid("No deployment named \"\(deploymentName)\" in this project.", field: "deployment"))
                }
                device.$deployment.id = try deployment.requireID()
                device.$deployment.value = deployment
            }
        }
        if let usb = changes.usb {
            for (id, field) in [(usb.vendorID, "usb.vendorId"), (usb.productID, "usb.productId")] {
                if let id, !USBIDs.isValid(id) {
                    return .failure(.invalid("\(field) is four hex digits, e.g. 2341.", field: field))
                }
            }
            if let serial = usb.serialNumber, serial.isEmpty || serial.count > 128 {
                return .failure(.invalid("usb.serialNumber has 1–128 characters.", field: "usb.serialNumber"))
            }
            if let serial = usb.serialNumber,
                try await Device.query(on: db).filter(\.$project.$id == projectID)
                    .filter(\.$usbSerial == serial).filter(\.$id != device.id ?? UUID()).first() != nil
            {
                return .failure(
                    .conflict(
                        "Another device of this project has the USB serial number \(serial).", field: "usb.serialNumber"
                    ))
            }
            device.usbVendorID = usb.vendorID?.lowercased()
            device.usbProductID = usb.productID?.lowercased()
            device.usbSerial = usb.serialNumber
        }
        do {
            try await device.save(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(
                .conflict(
                    "A device named \"\(device.name)\" exists in this project; choose another name.", field: "name"))
        }
        return .success(device)
    }

    package init(db: any Database) {
        self.db = db
    }
}

package enum DeviceNames {
    /// Device and bridge names: 1–63 letters, digits, `.`, `_` and `-`.
    package static func problem(with name: String, what: String = "device") -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...63).contains(name.count), name.allSatisfy(allowed.contains) else {
            return "A \(what) name has 1–63 letters, digits, dots, underscores and dashes."
        }
        return nil
    }
}

package enum USBIDs {
    package static func isValid(_ id: String) -> Bool {
        id.count == 4 && id.allSatisfy(\.isHexDigit)
    }
}
