import FluentKit
import Foundation

/// An agent next to the boards (`minnow bridge`), registered by its first heartbeat under
/// a name unique in its project. It connects outward only; `lastSeenAt` says whether it is
/// alive, and `ports` holds the serial ports it reported last (JSON of `SerialPortRecord`).
package final class Bridge: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "bridges"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    // references
    @Parent(key: "project_id") package var project: Project

    // data
    @Field(key: "name") package var name: String
    @OptionalField(key: "version") package var version: String?
    @OptionalField(key: "hostname") package var hostname: String?
    @OptionalField(key: "last_seen_at") package var lastSeenAt: Date?
    /// JSON of `[SerialPortRecord]` (a text column: PostgreSQL would store a Swift array as an array type).
    @Field(key: "ports") package var portsJSON: String

    package init() {}

    package init(projectID: UUID, name: String) {
        self.$project.id = projectID
        self.name = name
        self.portsJSON = "[]"
    }

    package var ports: [SerialPortRecord] {
        get { (try? JSONText.decode([SerialPortRecord].self, from: portsJSON)) ?? [] }
        set { portsJSON = (try? JSONText.encode(newValue)) ?? "[]" }
    }

    /// A bridge is online while its heartbeats arrive: it sends one every `heartbeatSeconds`,
    /// and three missed ones make it offline.
    package static let heartbeatSeconds = 10
    package func isOnline(at now: Date) -> Bool {
        guard let lastSeenAt else { return false }
        return now.timeIntervalSince(lastSeenAt) < Double(3 * Self.heartbeatSeconds)
    }
}

/// A serial port as a bridge reported it: the stored form (not the API's wire type, so an
/// API rename never breaks stored rows).
package struct SerialPortRecord: Codable, Sendable, Equatable {
    package var path: String
    package var byId: String?
    package var vendorID: String?
    package var productID: String?
    package var serialNumber: String?
    package var manufacturer: String?
    package var product: String?
    package var profile: String?
    package var description: String?

    package init(
        path: String, byId: String? = nil, vendorID: String? = nil, productID: String? = nil,
        serialNumber: String? = nil, manufacturer: String? = nil, product: String? = nil, profile: String? = nil,
        description: String? = nil
    ) {
        self.path = path
        self.byId = byId
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
        self.manufacturer = manufacturer
        self.product = product
        self.profile = profile
        self.description = description
    }
}
