import Fluent
import Foundation

/// One install of a trained iteration on a device, kept as history: who asked, the
/// firmware built for it (blob and the hash it reports), the stage it reached, the whole
/// log, and the outcome. Stages: queued → building (worker) → ready → flashing →
/// verifying (bridge) → succeeded | failed. While a worker or a bridge holds it,
/// `leaseExpiresAt` says until when; maintenance fails installs whose holder went quiet.
final class DeviceInstall: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "device_installs"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // references
    @Parent(key: "device_id") var device: Device
    @Parent(key: "iteration_id") var iteration: Iteration
    @Parent(key: "requested_by") var requestedBy: User
    @OptionalParent(key: "bridge_id") var bridge: Bridge?
    @OptionalField(key: "job_id") var jobID: UUID?

    // data
    @Field(key: "status") var status: InstallStatus
    @OptionalField(key: "failed_stage") var failedStage: InstallStatus?
    @OptionalField(key: "error") var error: String?
    @Field(key: "board") var board: String
    @OptionalField(key: "firmware_blob_id") var firmwareBlobID: String?
    @OptionalField(key: "firmware_hash") var firmwareHash: String?
    @OptionalField(key: "model_hash") var modelHash: String?
    @OptionalField(key: "firmware_bytes") var firmwareBytes: Int?
    @OptionalField(key: "reported_firmware_hash") var reportedFirmwareHash: String?
    @Field(key: "log") var log: String
    @OptionalField(key: "lease_expires_at") var leaseExpiresAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    var isFinished: Bool { status == .succeeded || status == .failed }
}

enum InstallStatus: String, Codable, Sendable, CaseIterable {
    case queued, building, ready, flashing, verifying, succeeded, failed
}
