import FluentKit
import Foundation

// Fluent models are reference types with property wrappers.
/// One install of a trained iteration on a device, kept as history: who asked, the
/// firmware built for it (blob and the hash it reports), the stage it reached, the whole
/// log, and the outcome. Stages: queued → building (worker) → ready → flashing →
/// verifying (bridge) → succeeded | failed. While a worker or a bridge holds it,
/// `leaseExpiresAt` says until when; maintenance fails installs whose holder went quiet.
package final class DeviceInstall: Model, @unchecked Sendable {
    package static let schema = "device_installs"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // references
    @Parent(key: "device_id") package var device: Device
    @Parent(key: "iteration_id") package var iteration: Iteration
    @Parent(key: "requested_by") package var requestedBy: User
    @OptionalParent(key: "bridge_id") package var bridge: Bridge?
    @OptionalField(key: "job_id") package var jobID: UUID?

    // data
    @Field(key: "status") package var status: InstallStatus
    @OptionalField(key: "failed_stage") package var failedStage: InstallStatus?
    @OptionalField(key: "error") package var error: String?
    @Field(key: "board") package var board: String
    @OptionalField(key: "firmware_blob_id") package var firmwareBlobID: String?
    @OptionalField(key: "firmware_hash") package var firmwareHash: String?
    @OptionalField(key: "model_hash") package var modelHash: String?
    @OptionalField(key: "firmware_bytes") package var firmwareBytes: Int?
    @OptionalField(key: "reported_firmware_hash") package var reportedFirmwareHash: String?
    @Field(key: "log") package var log: String
    @OptionalField(key: "lease_expires_at") package var leaseExpiresAt: Date?
    @OptionalField(key: "finished_at") package var finishedAt: Date?

    package init() {}

    package var isFinished: Bool { status == .succeeded || status == .failed }
}

package enum InstallStatus: String, Codable, Sendable, CaseIterable {
    case queued, building, ready, flashing, verifying, succeeded, failed
}
