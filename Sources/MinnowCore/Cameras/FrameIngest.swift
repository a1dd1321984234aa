// A camera's frame, read by its deployment: the int8 model runs on it as a board would, the
// observation keeps labels, scores and the objects found, one sighting per object (detection)
// or the best label (classification) indexes it for search, and the frame is kept or not as
// the project's retention says (`FrameRetention`). A bad frame is refused and nothing is stored.
import FluentKit
import Foundation

package struct FrameIngest {
    package let db: any Database
    package let deployments: DeploymentDirectory
    package let writer: FrameWriter
    package let metrics: CameraMetrics

    /// A camera's clock may run ahead; capture times further ahead of the server than this are ignored.
    package static let clockSkewAllowance: TimeInterval = 300

    package func ingest(
        _ data: Data, capturedAt: Date?, from device: Device, in project: Project
    ) async throws -> Result<Observation, DomainFailure> {
        guard device.kind == .camera else {
            return .failure(
                .conflict(
                    "Device \(device.name) is a board; boards report through their bridge, cameras post frames.",
                    field: nil))
        }
        guard let deployment = device.deployment,
            let entry = try await deployments.entry(named: deployment.name, on: db)
        else {
            return .failure(
                .conflict(
                    "Camera \(device.name) has no deployment to read its frames; link one (PATCH the device with \"deployment\").",
                    field: "deployment"))
        }
        let model = entry.model
        let reading: (prediction: Prediction, width: Int, height: Int, differenceHash: UInt64)
        do {
            reading = try model.read(frame: data)
        } catch {
            metrics.rejected()
            return .failure(
                .invalid(
                    "The frame is not a readable JPEG or PNG image (at most \(ImageIngest.maximumPixels) pixels).",
                    field: nil))
        }
        let now = Date()
        let observation = Observation()
        observation.$project.id = try project.requireID()
        observation.$device.id = try device.requireID()
        observation.$iteration.id = model.iterationID
        observation.label = reading.prediction.label
        observation.scores = reading.prediction.scores.map(StoredLabelScore.init)
        observation.output = []
        observation.detections = (reading.prediction.detections ?? []).map(StoredDetection.init)
        observation.observedAt = capturedAt
        observation.receivedAt = now
        observation.frameWidth = reading.width
        observation.frameHeight = reading.height
        observation.frameStatus = FrameRetention(project).status(
            ofNew: reading.differenceHash, detection: model.detection,
            detected: !observation.detections.isEmpty, previous: device.lastFrameHash)
        let kept = observation.frameStatus == .stored
        if kept {
            observation.frameBlobID = BlobID(content: data).hex
            observation.frameBytes = Int64(data.count)
        }
        observation.id = UUID()
        let seenAt = capturedAt.flatMap { $0.timeIntervalSince(now) <= Self.clockSkewAllowance ? $0 : nil } ?? now
        try await writer.write(
            .init(
                frame: kept ? data : nil, observation: observation,
                sightings: try Self.sightings(of: observation, model: model, seenAt: seenAt),
                deviceID: try device.requireID(), frameHash: kept ? Int64(bitPattern: reading.differenceHash) : nil),
            on: db)
        metrics.ingested(observation.frameStatus, bytes: observation.frameBytes)
        return .success(observation)
    }

    /// Detection: one per object, with its centre and the model's output cell as its size.
    /// Classification: the best label.
    package static func sightings(of observation: Observation, model: LoadedModel, seenAt: Date) throws -> [Sighting] {
        func sighting(_ label: String, _ score: Double) throws -> Sighting {
            let sighting = Sighting()
            sighting.$project.id = observation.$project.id
            sighting.$device.id = observation.$device.id
            sighting.$observation.id = try observation.requireID()
            sighting.label = label
            sighting.score = score
            sighting.seenAt = seenAt
            sighting.receivedAt = observation.receivedAt
            return sighting
        }
        guard model.detection else {
            guard let best = observation.scores.first else { return [] }
            return [try sighting(best.label, best.score)]
        }
        let grid = model.grid
        return try observation.detections.map { detection in
            let found = try sighting(detection.label, detection.score)
            found.x = detection.x
            found.y = detection.y
            found.width = 1 / Double(grid.width)
            found.height = 1 / Double(grid.height)
            return found
        }
    }

    package init(db: any Database, deployments: DeploymentDirectory, writer: FrameWriter, metrics: CameraMetrics) {
        self.db = db
        self.deployments = deployments
        self.writer = writer
        self.metrics = metrics
    }
}
