import Fluent
import Foundation

/// An agent next to the boards (`minnow bridge`), registered by its first heartbeat under
/// a name unique in its project. It connects outward only; `lastSeenAt` says whether it is
/// alive, and `ports` holds the serial ports it reported last (JSON of `SerialPortRecord`).
final class Bridge: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "bridges"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // references
    @Parent(key: "project_id") var project: Project

    // data
    @Field(key: "name") var name: String
    @OptionalField(key: "version") var version: String?
    @OptionalField(key: "hostname") var hostname: String?
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?
    /// JSON of `[SerialPortRecord]` (a text column: PostgreSQL would store a Swift array as an array type).
    @Field(key: "ports") var portsJSON: String

    init() {}

    init(projectID: UUID, name: String) {
        self.$project.id = projectID
        self.name = name
        self.portsJSON = "[]"
    }

    var ports: [SerialPortRecord] {
        get { (try? JSONText.decode([SerialPortRecord].self, from: portsJSON)) ?? [] }
        set { portsJSON = (try? JSONText.encode(newValue)) ?? "[]" }
    }

    /// A bridge is online while its heartbeats arrive: it sends one every `heartbeatSeconds`,
    /// and three missed ones make it offline.
    static let heartbeatSeconds = 10
    func isOnline(at now: Date) -> Bool {
        guard let lastSeenAt else { return false }
        return now.timeIntervalSince(lastSeenAt) < Double(3 * Self.heartbeatSeconds)
    }
}

/// A serial port as a bridge reported it: the stored form (not the API's wire type, so an
/// API rename never breaks stored rows).
struct SerialPortRecord: Codable, Sendable, Equatable {
    var path: String
    var byId: String?
    var vendorID: String?
    var productID: String?
    var serialNumber: String?
    var manufacturer: String?
    var product: String?
    var profile: String?
    var description: String?
}
