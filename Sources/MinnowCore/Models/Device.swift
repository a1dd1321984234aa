import FluentKit
import Foundation

/// A board (optionally on a bridge) or a camera in a project. A board has a profile, a USB
/// identity (the serial number follows it across ports) and what it runs as the board itself
/// last reported; a camera the deployment that reads its frames and the difference hash of
/// its last stored frame. Both record when they were last seen. Installs, observations and a
/// camera's keys are deleted with it.
package final class Device: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "devices"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // references
    @Parent(key: "project_id") package var project: Project
    @OptionalParent(key: "bridge_id") package var bridge: Bridge?
    @OptionalParent(key: "installed_iteration_id") package var installedIteration: Iteration?
    @OptionalParent(key: "deployment_id") package var deployment: Deployment?

    // data
    @Field(key: "name") package var name: String
    @Field(key: "kind") package var kind: DeviceKind
    @OptionalField(key: "profile") package var profile: String?
    @OptionalField(key: "usb_vendor_id") package var usbVendorID: String?
    @OptionalField(key: "usb_product_id") package var usbProductID: String?
    @OptionalField(key: "usb_serial") package var usbSerial: String?
    /// The tty the bridge saw it on last; nil while its bridge does not see it.
    @OptionalField(key: "port") package var port: String?
    @OptionalField(key: "last_seen_at") package var lastSeenAt: Date?
    @OptionalField(key: "installed_firmware_hash") package var installedFirmwareHash: String?
    @OptionalField(key: "installed_model_hash") package var installedModelHash: String?
    /// Cameras: the 64-bit difference hash of the last frame kept (bit pattern as a signed integer).
    @OptionalField(key: "last_frame_hash") package var lastFrameHash: Int64?

    package init() {}

    package init(projectID: UUID, name: String, kind: DeviceKind = .board) {
        self.$project.id = projectID
        self.name = name
        self.kind = kind
    }
}

package enum DeviceKind: String, Codable, Sendable, CaseIterable {
    case board, camera
}

/// Online while its bridge is alive and sees its port.
package enum DeviceStatus: String, Sendable {
    case online, offline
    case neverSeen = "never-seen"
}

extension Device {
    /// A camera is online while it posted a frame within this many seconds.
    package static let cameraOnlineSeconds: TimeInterval = 300

    package func status(at now: Date) -> DeviceStatus {
        guard let lastSeenAt else { return .neverSeen }
        if kind == .camera { return now.timeIntervalSince(lastSeenAt) < Self.cameraOnlineSeconds ? .online : .offline }
        guard port != nil, let bridge = $bridge.value ?? nil, bridge.isOnline(at: now) else { return .offline }
        return .online
    }
}
