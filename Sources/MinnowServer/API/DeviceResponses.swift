// Devices, installs, bridges and observations as the API shows them.
import APITypes
import Foundation
import MinnowCore

extension Device {
    func api(lastInstall: DeviceInstall? = nil, now: Date) throws -> Components.Schemas.Device {
        let iteration = $installedIteration.value ?? nil
        return .init(
            id: try requireID().apiString, projectId: $project.id.apiString, name: name,
            kind: kind == .camera ? .camera : .board,
            deployment: ($deployment.value ?? nil)?.name, profile: profile,
            bridge: ($bridge.value ?? nil)?.name, usb: usbIdentity, port: port,
            status: .init(rawValue: status(at: now).rawValue) ?? .offline, lastSeenAt: lastSeenAt,
            installedIterationId: $installedIteration.id?.apiString, installedIterationNumber: iteration?.number,
            installedFirmwareHash: installedFirmwareHash, installedModelHash: installedModelHash,
            lastInstall: try lastInstall?.api(withLog: false), createdAt: createdAt ?? Date())
    }

    private var usbIdentity: Components.Schemas.USBIdentity? {
        guard usbVendorID != nil || usbProductID != nil || usbSerial != nil else { return nil }
        return .init(vendorId: usbVendorID, productId: usbProductID, serialNumber: usbSerial)
    }
}

extension DeviceInstall {
    func api(withLog: Bool) throws -> Components.Schemas.Install {
        .init(
            id: try requireID().apiString, deviceId: $device.id.apiString, iterationId: $iteration.id.apiString,
            iterationNumber: $iteration.value?.number ?? 0, status: .init(rawValue: status.rawValue) ?? .failed,
            failedStage: failedStage.flatMap { .init(rawValue: $0.rawValue) }, error: error,
            requestedBy: $requestedBy.value?.username ?? "", board: board, firmwareHash: firmwareHash,
            modelHash: modelHash,
            firmwareBytes: firmwareBytes, reportedFirmwareHash: reportedFirmwareHash,
            bridge: ($bridge.value ?? nil)?.name,
            log: withLog ? log : nil, createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date(),
            finishedAt: finishedAt)
    }
}

extension Bridge {
    func api(now: Date) throws -> Components.Schemas.Bridge {
        .init(
            id: try requireID().apiString, name: name, projectId: $project.id.apiString, version: version,
            hostname: hostname,
            online: isOnline(at: now), lastSeenAt: lastSeenAt, ports: ports.map(\.api), createdAt: createdAt ?? Date())
    }
}

extension SerialPortRecord {
    init(_ port: Components.Schemas.SerialPort) {
        self.init(
            path: port.path, byId: port.byId, vendorID: port.usb?.vendorId?.lowercased(),
            productID: port.usb?.productId?.lowercased(),
            serialNumber: port.usb?.serialNumber, manufacturer: port.manufacturer, product: port.product,
            profile: port.profile, description: port.description)
    }

    var api: Components.Schemas.SerialPort {
        let usb: Components.Schemas.USBIdentity? =
            vendorID == nil && productID == nil && serialNumber == nil
            ? nil : .init(vendorId: vendorID, productId: productID, serialNumber: serialNumber)
        return .init(
            path: path, byId: byId, usb: usb, manufacturer: manufacturer, product: product, profile: profile,
            description: description)
    }
}

extension Observation {
    func api() throws -> Components.Schemas.Observation {
        .init(
            id: try requireID().apiString, deviceId: $device.id.apiString,
            iterationNumber: ($iteration.value ?? nil)?.number,
            label: label, scores: scores.map { .init(label: $0.label, score: $0.score) }, output: output, ticks: ticks,
            inputSha256: inputSHA256, imageId: imageID?.apiString, matchesCloud: matchesCloud,
            detections: detectionsJSON == nil
                ? nil : detections.map { .init(label: $0.label, x: $0.x, y: $0.y, score: $0.score) },
            frame: Components.Schemas.FrameStatus(rawValue: frameStatus.rawValue) ?? .none, frameWidth: frameWidth,
            frameHeight: frameHeight,
            observedAt: observedAt, receivedAt: receivedAt)
    }
}
