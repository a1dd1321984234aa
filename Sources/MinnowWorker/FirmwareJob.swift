// The firmware job: builds the bare-metal image for one install on a worker (the server and
// the bridge never compile): reads the iteration's int8 `.tflite`, generates the C, compiles
// it for the device's board with its board support, and stores the ELF with the hash the
// board will print at boot. The install is then `ready` for its bridge.
import FluentKit
import Firmware
import Foundation
import MinnowCore
import TFLite

package struct FirmwareJob {
    package let context: JobContext

    package func run() async throws {
        let payload = try JSONText.decode(JobPayload.Firmware.self, from: context.job.payload ?? "{}")
        let db = context.db
        guard let install = try await DeviceInstall.find(payload.installId, on: db) else {
            throw JobFailure("The install was deleted with its device.")
        }
        guard !install.isFinished else { return try await finishJob(message: "The install had already ended.") }
        install.status = .building
        install.log += "Building firmware for \(install.board) on worker \(context.worker.id).\n"
        try await install.save(on: db)
        do {
            let image = try await build(install)
            let blobID = try await context.blobs.put(Data(image.elf))
            install.firmwareBlobID = blobID.hex
            install.firmwareHash = image.firmwareHash
            install.modelHash = image.modelHash
            install.firmwareBytes = image.elf.count
            install.status = .ready
            install.log += image.buildLog.isEmpty ? "" : image.buildLog + (image.buildLog.hasSuffix("\n") ? "" : "\n")
            install.log +=
                "Built firmware \(image.firmwareHash.prefix(12)) (\(image.elf.count) bytes, model \(image.modelHash.prefix(12)), arena \(image.arenaSize) B); waiting for the bridge.\n"
            try await install.save(on: db)
            try await finishJob(message: "Built firmware \(image.firmwareHash.prefix(12)).")
        } catch let stop as JobControl.Stop {
            throw stop
        } catch {
            let message = (error as? JobFailure)?.message ?? "The firmware build failed: \(error)"
            DeviceInstalls(db: db).fail(install, at: .building, message)
            try await install.save(on: db)
            try await context.fail(message)
        }
    }

    private func build(_ install: DeviceInstall) async throws -> FirmwareImage {
        guard let iteration = try await Iteration.find(install.$iteration.id, on: context.db),
            let tfliteID = iteration.tfliteBlobID, let tflite = try await Blob.find(tfliteID, on: context.db)?.content
        else { throw JobFailure("The iteration has no int8 model any more.") }
        guard let board = BoardProfile.named(install.board) else {
            throw JobFailure("Unknown board profile \(install.board).")
        }
        try context.control.checkpoint()
        return try await BlockingThread.run {
            // from the stored bytes, so the board's model hash is the SHA-256 of what .../artifacts/tflite serves
            try FirmwareBuilder.build(tflite: [UInt8](tflite), name: "model", board: board)
        }
    }

    private func finishJob(message: String) async throws {
        let jobID = context.jobID
        try await context.worker.queue.finish(jobID, worker: context.worker.id, status: .succeeded) { tx in
            try await JobEvents.append(.init(kind: .status, status: .succeeded, message: message), to: jobID, on: tx)
        }
    }

    package init(context: JobContext) {
        self.context = context
    }
}
