// Camera frames back into the dataset, so the next iteration learns from the field: chosen by
// id or like a sighting search (uncertain ones with `maxScore`), added through the one image
// ingest path with source `device`, unlabelled (the labelling queue) or labelled as the model
// saw them. Frames retention did not keep, and frames already in the dataset, are skipped with
// the reason.
import FluentKit
import Foundation
import Imaging
import NIOPosix

package struct FramesToDataset {
    package struct Selection {
        package var observationIDs: [UUID] = []
        package var filter = SightingSearch.Filter()
        package var limit = 100
        package var labelled = false
        package var split: SplitChoice?

        package init(
            observationIDs: [UUID] = [], filter: SightingSearch.Filter = SightingSearch.Filter(), limit: Int = 100,
            labelled: Bool = false, split: SplitChoice? = nil
        ) {
            self.observationIDs = observationIDs
            self.filter = filter
            self.limit = limit
            self.labelled = labelled
            self.split = split
        }
    }

    package struct Report {
        package var images: [UUID] = []
        package var skipped: [(observationID: UUID, reason: String)] = []

        package init(images: [UUID] = [], skipped: [(observationID: UUID, reason: String)] = []) {
            self.images = images
            self.skipped = skipped
        }
    }

    package static let maximumFrames = 500

    package let db: any Database
    package let threadPool: NIOThreadPool

    package func add(_ selection: Selection, to project: Project) async throws -> Report {
        let projectID = try project.requireID()
        let ids =
            selection.observationIDs.isEmpty
            ? try await observations(
                matching: selection.filter, in: projectID, limit: min(selection.limit, Self.maximumFrames))
            : Array(selection.observationIDs.prefix(Self.maximumFrames))
        let found = try await Observation.query(on: db).filter(\.$project.$id == projectID).filter(\.$id ~~ ids).with(
            \.$device
        ).all()
        let byID = Dictionary(found.map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
        var boxes: [UUID: [BoxSpec]] = [:]
        if selection.labelled && project.task == .detection {
            for sighting in try await Sighting.query(on: db).filter(\.$observation.$id ~~ ids).all() {
                guard let x = sighting.x, let y = sighting.y, let width = sighting.width, let height = sighting.height,
                    let box = BoxSpec(
                        label: sighting.label, x: x - width / 2, y: y - height / 2, width: width, height: height
                    ).clamped
                else { continue }
                boxes[sighting.$observation.id, default: []].append(box)
            }
        }
        var report = Report()
        let ingest = ImageIngest(db: db, projectID: projectID, threadPool: threadPool)
        var prepared: [(UUID, ImageIngest.Prepared)] = []
        for id in ids {
            guard let observation = byID[id] else {
                report.skipped.append((id, "not an observation of this project"))
                continue
            }
            guard observation.frameStatus == .stored, let blobID = observation.frameBlobID.flatMap(BlobID.init(hex:)),
                let data = try await DatabaseBlobStore(database: db, references: BlobReferences.all).get(blobID)
            else {
                report.skipped.append((id, "the frame was not kept (\(observation.frameStatus.rawValue))"))
                continue
            }
            let label = selection.labelled && project.task != .detection ? observation.label : nil
            var file = try await ingest.prepare(
                data, fileName: Self.fileName(of: observation, data: data), label: label, split: selection.split,
                source: .device)
            file.boxes = boxes[id] ?? []
            prepared.append((id, file))
        }
        for ((id, _), outcome) in zip(prepared, try await ingest.store(prepared.map(\.1))) {
            switch outcome.status {
            case .accepted: report.images.append(UUID(uuidString: outcome.imageId ?? "")!)
            case .duplicate: report.skipped.append((id, "already in the dataset (\(outcome.reason ?? "same content"))"))
            default: report.skipped.append((id, outcome.reason ?? "rejected"))
            }
        }
        return report
    }

    /// The newest observations with a sighting matching the filter, at most `limit`.
    private func observations(
        matching filter: SightingSearch.Filter, in projectID: UUID, limit: Int
    ) async throws -> [UUID] {
        var ids: [UUID] = [], seen = Set<UUID>(), cursor: SightingSearch.Cursor?
        repeat {
            let page = try await SightingSearch(db: db).search(in: projectID, filter, after: cursor, limit: 200)
            for found in page.items where seen.insert(found.sighting.$observation.id).inserted && ids.count < limit {
                ids.append(found.sighting.$observation.id)
            }
            cursor = page.next
        } while cursor != nil && ids.count < limit
        return ids
    }

    /// `<camera>-<UTC time>.<jpg|png>`, from the camera's clock when it sent one.
    package static func fileName(of observation: Observation, data: Data) -> String {
        let time = (observation.observedAt ?? observation.receivedAt).ISO8601Format().replacingOccurrences(
            of: ":", with: "")
        let device = observation.$device.value?.name ?? "camera"
        return "\(device)-\(time).\((ImageFormat.announced(by: data) ?? .jpeg).fileExtension)"
    }

    package init(db: any Database, threadPool: NIOThreadPool) {
        self.db = db
        self.threadPool = threadPool
    }
}
