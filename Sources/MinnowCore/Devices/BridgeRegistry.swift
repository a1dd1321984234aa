// Bridges: a heartbeat registers a bridge under its name (the first time), records the
// serial ports it sees, and attaches the project's devices whose USB serial number matches
// a port — the serial number follows a board from ttyACM0 to ttyACM1 and from one bridge to
// another. Devices of the bridge whose port is gone lose their port (offline).
import FluentKit
import Foundation

package struct BridgeRegistry {
    package let db: any Database

    package func list(in project: Project) async throws -> [Bridge] {
        try await Bridge.query(on: db).filter(\.$project.$id == project.requireID()).sort(\.$name).all()
    }

    package func find(_ name: String, in project: Project) async throws -> Bridge? {
        try await Bridge.query(on: db).filter(\.$project.$id == project.requireID()).filter(\.$name == name).first()
    }

    package func heartbeat(
        _ name: String, in project: Project, version: String?, hostname: String?, ports: [SerialPortRecord],
        now: Date = Date()
    ) async throws -> Result<(bridge: Bridge, devices: [Device]), DomainFailure> {
        if let problem = DeviceNames.problem(with: name, what: "bridge") {
            return .failure(.invalid(problem, field: "bridgeName"))
        }
        let projectID = try project.requireID()
        let bridge = try await find(name, in: project) ?? Bridge(projectID: projectID, name: name)
        bridge.version = version
        bridge.hostname = hostname
        bridge.ports = ports
        bridge.lastSeenAt = now
        do {
            try await bridge.save(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two first heartbeats at once: the other one registered the bridge.
            guard let existing = try await find(name, in: project) else {
                return .failure(.conflict("The bridge \(name) was registered twice at once: \(error)"))
            }
            return try await heartbeat(
                existing.name, in: project, version: version, hostname: hostname, ports: ports, now: now)
        }
        let bridgeID = try bridge.requireID()
        let bySerial = Dictionary(
            ports.compactMap { port in port.serialNumber.map { ($0, port) } }, uniquingKeysWith: { first, _ in first })
        let candidates = try await Device.query(on: db).filter(\.$project.$id == projectID).group(.or) { group in
            group.filter(\.$bridge.$id == bridgeID)
            if !bySerial.isEmpty { group.filter(\.$usbSerial ~~ Array(bySerial.keys)) }
        }.all()
        var served: [Device] = []
        for device in candidates {
            if let serial = device.usbSerial, let port = bySerial[serial] {
                device.$bridge.id = bridgeID
                device.port = port.path
                device.lastSeenAt = now
                device.usbVendorID = device.usbVendorID ?? port.vendorID
                device.usbProductID = device.usbProductID ?? port.productID
                if device.profile == nil, let profile = port.profile { device.profile = profile }
            } else if device.$bridge.id == bridgeID {
                device.port = nil
            } else {
                continue
            }
            try await device.save(on: db)
            device.$bridge.value = bridge
            served.append(device)
        }
        return .success((bridge, served.sorted { $0.name < $1.name }))
    }

    package func delete(_ bridge: Bridge) async throws {
        try await bridge.delete(on: db)
    }

    package init(db: any Database) {
        self.db = db
    }
}
