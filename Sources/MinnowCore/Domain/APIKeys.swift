// API key actions shared by the JSON API and the web pages: list, create (the secret is
// returned once), change frame limits, revoke. People only; callers check that. A camera's
// own key is bound to the device and has exactly the `ingest` permission.
import FluentKit
import Foundation

package struct APIKeys {
    package let db: any Database

    package func list(ownerID: UUID, page: Paging) async throws -> (items: [APIKey], total: Int) {
        try await APIKey.query(on: db).filter(\.$owner.$id == ownerID).sort(\.$createdAt, .descending).sort(\.$id).page(
            page)
    }

    /// Frames per minute and per UTC day a key may post; nil leaves a limit as it is, 0 removes it.
    package struct FrameLimits {
        package var perMinute: Int?
        package var perDay: Int?

        package init(perMinute: Int? = nil, perDay: Int? = nil) {
            self.perMinute = perMinute
            self.perDay = perDay
        }
    }

    package func create(
        ownerID: UUID, name: String, projectID: String, permissions: Set<Permission>, expiresAt: Date?,
        deviceID: String? = nil, limits: FrameLimits = .init()
    ) async throws -> Result<(key: APIKey, secret: String), DomainFailure> {
        if let problem = InputRules.name(name, of: "key") { return .failure(.invalid(problem, field: "name")) }
        guard !permissions.isEmpty else {
            return .failure(
                .invalid(
                    "Give the key at least one permission: \(Permission.allCases.map(\.rawValue).joined(separator: ", ")).",
                    field: "permissions"))
        }
        if let expiresAt, expiresAt <= Date() {
            return .failure(.invalid("expiresAt must be in the future.", field: "expiresAt"))
        }
        guard let projectID = UUID(uuidString: projectID),
            let project = try await Project.query(on: db).filter(\.$id == projectID).filter(\.$owner.$id == ownerID)
                .first()
        else { return .failure(.notFound("Project")) }
        var camera: Device?
        if let deviceID {
            guard let id = UUID(uuidString: deviceID),
                let device = try await Device.query(on: db).filter(\.$id == id).filter(\.$project.$id == projectID)
                    .first()
            else { return .failure(.invalid("deviceId names no device of this project.", field: "deviceId")) }
            guard device.kind == .camera else {
                return .failure(
                    .invalid(
                        "Device \(device.name) is a board; only cameras have keys of their own.", field: "deviceId"))
            }
            guard permissions == [.ingest] else {
                return .failure(.invalid("A camera's key has exactly the ingest permission.", field: "permissions"))
            }
            camera = device
        }
        if let problem = Self.problem(with: limits) { return .failure(.invalid(problem, field: "framesPerMinute")) }

        let secret = APIKeySecrets.generate()
        let key = APIKey(
            ownerID: ownerID, projectID: try project.requireID(),
            name: name.trimmingCharacters(in: .whitespacesAndNewlines),
            prefix: APIKeySecrets.prefix(of: secret), secretHash: APIKeySecrets.hash(secret),
            permissions: permissions, expiresAt: expiresAt
        )
        key.$device.id = try camera?.requireID()
        Self.apply(limits, to: key)
        try await key.create(on: db)
        return .success((key, secret))
    }

    package func find(_ id: String, ownerID: UUID) async throws -> APIKey? {
        guard let id = UUID(uuidString: id) else { return nil }
        return try await APIKey.query(on: db).filter(\.$id == id).filter(\.$owner.$id == ownerID).first()
    }

    package func update(_ key: APIKey, limits: FrameLimits) async throws -> Result<APIKey, DomainFailure> {
        guard limits.perMinute != nil || limits.perDay != nil else {
            return .failure(.invalid("Send framesPerMinute or dailyFrameQuota (0 removes a limit).", field: nil))
        }
        if let problem = Self.problem(with: limits) { return .failure(.invalid(problem, field: "framesPerMinute")) }
        Self.apply(limits, to: key)
        try await key.save(on: db)
        return .success(key)
    }

    private static func problem(with limits: FrameLimits) -> String? {
        for (value, name) in [(limits.perMinute, "framesPerMinute"), (limits.perDay, "dailyFrameQuota")] {
            if let value, !(0...1_000_000_000).contains(value) { return "\(name) is 0 (no limit) to 1000000000." }
        }
        return nil
    }

    private static func apply(_ limits: FrameLimits, to key: APIKey) {
        if let perMinute = limits.perMinute { key.framesPerMinute = perMinute == 0 ? nil : perMinute }
        if let perDay = limits.perDay { key.dailyFrameQuota = perDay == 0 ? nil : perDay }
    }

    /// False when the key is missing or not the owner's.
    package func revoke(_ id: String, ownerID: UUID) async throws -> Bool {
        guard let key = try await find(id, ownerID: ownerID) else { return false }
        try await key.delete(on: db)
        return true
    }

    package init(db: any Database) {
        self.db = db
    }
}
