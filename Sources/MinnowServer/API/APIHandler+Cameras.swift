// Cameras: frames posted by a camera (its own key, limited per minute and per day), read by
// its deployment and stored as observations; sighting search; an observation and its frame;
// frames back into the dataset. Another user's project is 404, like a missing one.
import APITypes
import Fluent
import Foundation
import Imaging
import MinnowCore
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func ingestFrame(_ input: Operations.IngestFrame.Input) async throws -> Operations.IngestFrame.Output {
        try await answer { principal, db in
            guard let projectID = UUID(uuidString: input.path.projectId),
                let deviceID = UUID(uuidString: input.path.deviceId),
                try principal.mayPostFrames(in: projectID, deviceID: deviceID),
                let (project, device) = try await DeviceRegistry(db: db).withProjectAndDeployment(
                    deviceID, in: projectID, ownerID: principal.userID)
            else { return .notFound(.init(body: .json(.notFound("Device")))) }
            if let key = principal.key, let refusal = try await frameLimits(db).admit(key) {
                let (error, wait): (APIError, Int) =
                    switch refusal {
                    case .overRate(let perMinute, let wait):
                        (
                            .tooManyRequests(
                                retryAfter: wait,
                                "This key is over its limit of \(perMinute) frames per minute; try again in \(wait) seconds."
                            ), wait
                        )
                    case .overQuota(let quota, let wait):
                        (
                            .quotaExceeded(
                                retryAfter: wait,
                                "This key has posted its quota of \(quota) frames for today (UTC); it resets in \(wait) seconds."
                            ), wait
                        )
                    }
                return .tooManyRequests(.init(headers: .init(retryAfter: wait), body: .json(error.body)))
            }
            let data: Data
            switch input.body {
            case .jpeg(let body), .png(let body), .binary(let body):
                data = Data(try await ArraySlice(collecting: body, upTo: Limits.frameBytes))
            }
            guard !data.isEmpty else {
                return .badRequest(.init(body: .json(.badRequest("Send the frame (JPEG or PNG) as the body."))))
            }
            let ingest = FrameIngest(
                db: db, deployments: services.deployments, writer: services.frameWriter, metrics: cameraMetrics)
            switch try await ingest.ingest(data, capturedAt: input.query.capturedAt, from: device, in: project) {
            case .success(let observation): return .created(.init(body: .json(try observation.api())))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(.notFound(let what)): return .notFound(.init(body: .json(.notFound(what))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func searchSightings(_ input: Operations.SearchSightings.Input) async throws -> Operations.SearchSightings.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let query = input.query
            var cursor: SightingSearch.Cursor?
            if let text = query.cursor {
                guard let parsed = SightingSearch.Cursor(text) else {
                    return .unprocessableContent(
                        .init(body: .json(.invalid("cursor is not one this server gave (pass nextCursor unchanged)."))))
                }
                cursor = parsed
            }
            var deviceID: UUID?
            if let text = query.deviceId {
                guard let id = UUID(uuidString: text) else {
                    return .unprocessableContent(.init(body: .json(.invalid("deviceId is not a UUID."))))
                }
                deviceID = id
            }
            for (score, name) in [(query.minScore, "minScore"), (query.maxScore, "maxScore")] {
                if let score, !(0...1).contains(score) {
                    return .unprocessableContent(.init(body: .json(.invalid("\(name) is a score from 0 to 1."))))
                }
            }
            let filter = SightingSearch.Filter(
                label: query.label, deviceID: deviceID, from: query.from, to: query.to,
                minScore: query.minScore, maxScore: query.maxScore)
            let limit = min(200, max(1, query.limit ?? 50))
            let page = try await SightingSearch(db: db).search(
                in: try project.requireID(), filter, after: cursor, limit: limit)
            return .ok(.init(body: .json(.init(items: page.items.map { $0.api() }, nextCursor: page.next?.text))))
        }
    }

    func getObservation(_ input: Operations.GetObservation.Input) async throws -> Operations.GetObservation.Output {
        try await answer { principal, db in
            guard
                let observation = try await observation(
                    input.path.projectId, input.path.observationId, principal, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Observation"))))
            }
            return .ok(.init(body: .json(try observation.api())))
        }
    }

    func getObservationFrame(
        _ input: Operations.GetObservationFrame.Input
    ) async throws -> Operations.GetObservationFrame.Output {
        try await answer { principal, db in
            guard
                let observation = try await observation(
                    input.path.projectId, input.path.observationId, principal, on: db),
                observation.frameStatus == .stored, let id = observation.frameBlobID.flatMap(BlobID.init(hex:)),
                let data = try await blobStore(on: db).get(id)
            else { return .notFound(.init(body: .json(.notFound("Frame")))) }
            return .ok(
                .init(body: ImageFormat.announced(by: data) == .png ? .png(HTTPBody(data)) : .jpeg(HTTPBody(data))))
        }
    }

    func addObservationsToDataset(
        _ input: Operations.AddObservationsToDataset.Input
    ) async throws -> Operations.AddObservationsToDataset.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .write, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            let ids = (body.observationIds ?? []).compactMap(UUID.init(uuidString:))
            guard ids.count == (body.observationIds ?? []).count else {
                return .unprocessableContent(.init(body: .json(.invalid("observationIds must be UUIDs."))))
            }
            guard ids.count <= FramesToDataset.maximumFrames,
                (1...FramesToDataset.maximumFrames).contains(body.limit ?? 100)
            else {
                return .unprocessableContent(
                    .init(body: .json(.invalid("Add at most \(FramesToDataset.maximumFrames) frames at a time."))))
            }
            var deviceID: UUID?
            if let text = body.deviceId {
                guard let id = UUID(uuidString: text) else {
                    return .unprocessableContent(.init(body: .json(.invalid("deviceId is not a UUID."))))
                }
                deviceID = id
            }
            let selection = FramesToDataset.Selection(
                observationIDs: ids,
                filter: .init(
                    label: body.label, deviceID: deviceID, from: body.from, to: body.to, minScore: body.minScore,
                    maxScore: body.maxScore),
                limit: body.limit ?? 100, labelled: body.labelled ?? false, split: body.split?.domain)
            let report = try await FramesToDataset(db: db, threadPool: dependencies.threadPool).add(
                selection, to: project)
            CurrentRequest.logger.info(
                "frames added to the dataset",
                metadata: ["added": "\(report.images.count)", "skipped": "\(report.skipped.count)"])
            return .ok(
                .init(
                    body: .json(
                        .init(
                            added: report.images.count, images: report.images.map(\.apiString),
                            skipped: report.skipped.map {
                                .init(observationId: $0.observationID.apiString, reason: $0.reason)
                            }))))
        }
    }

    private func observation(
        _ projectID: String, _ observationID: String, _ principal: Principal, on db: any Database
    ) async throws -> Observation? {
        guard let project = try await project(projectID, principal, .read, on: db),
            let id = UUID(uuidString: observationID)
        else { return nil }
        return try await Observation.query(on: db).filter(\.$id == id).filter(\.$project.$id == project.requireID())
            .with(\.$iteration).first()
    }

    private var cameraMetrics: CameraMetrics { CameraMetrics(registry: services.metrics) }

    private func frameLimits(_ db: any Database) -> FrameKeyLimits {
        FrameKeyLimits(db: db, limiter: services.frameLimiter, metrics: cameraMetrics)
    }
}

extension SightingSearch.Found {
    func api() -> Components.Schemas.Sighting {
        .init(
            observationId: sighting.$observation.id.apiString, deviceId: sighting.$device.id.apiString,
            deviceName: deviceName,
            label: sighting.label, score: sighting.score, x: sighting.x, y: sighting.y, width: sighting.width,
            height: sighting.height,
            seenAt: sighting.seenAt, receivedAt: sighting.receivedAt, hasFrame: hasFrame)
    }
}

extension Operations.IngestFrame.Output: RefusableOutput {}
extension Operations.SearchSightings.Output: RefusableOutput {}
extension Operations.GetObservation.Output: RefusableOutput {}
extension Operations.GetObservationFrame.Output: RefusableOutput {}
extension Operations.AddObservationsToDataset.Output: RefusableOutput {}
