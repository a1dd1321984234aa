// Writes camera observations in batches: every frame that arrives while a batch commits joins
// the next one, so a server busy with many cameras commits once per batch (one statement each
// for the frames' blobs, the observations and the sightings, one update per camera) instead
// of once per frame. On SQLite, which has one writer at a time, this is the difference between
// hundreds of writers waiting for the lock and one that never waits. A request returns when the
// batch holding its frame has committed; if the batch fails, every request in it fails and
// nothing of it is stored.
import FluentKit
import Foundation

package actor FrameWriter {
    package init() {}

    package struct Item: Sendable {
        package let frame: Data?
        package let observation: Observation
        package let sightings: [Sighting]
        package let deviceID: UUID
        /// The camera's new `lastFrameHash` when this frame is kept.
        package let frameHash: Int64?

        package init(frame: Data?, observation: Observation, sightings: [Sighting], deviceID: UUID, frameHash: Int64?) {
            self.frame = frame
            self.observation = observation
            self.sightings = sightings
            self.deviceID = deviceID
            self.frameHash = frameHash
        }
    }

    /// Frames per transaction at most (well inside SQLite's and PostgreSQL's bind limits).
    package static let batchLimit = 64

    private var pending: [(item: Item, db: any Database, done: CheckedContinuation<Void, any Error>)] = []
    private var flushing = false

    /// Stores the item in the next batch; returns once it is committed.
    package func write(_ item: Item, on db: any Database) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            pending.append((item, db, done))
            if !flushing {
                flushing = true
                Task { await flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.batchLimit))
            pending.removeFirst(batch.count)
            do {
                try await Self.commit(batch.map(\.item), on: batch[0].db)
                for entry in batch { entry.done.resume() }
            } catch {
                for entry in batch { entry.done.resume(throwing: error) }
            }
        }
        flushing = false
    }

    private static func commit(_ items: [Item], on db: any Database) async throws {
        let observations = items.map(\.observation), sightings = items.flatMap(\.sightings)
        var latest: [UUID: (seen: Date, hash: Int64?)] = [:]
        for item in items {
            let previous = latest[item.deviceID]
            latest[item.deviceID] = (
                max(previous?.seen ?? .distantPast, item.observation.receivedAt), item.frameHash ?? previous?.hash
            )
        }
        let cameras = latest
        try await db.writeTransaction { tx in
            let frames = items.compactMap(\.frame)
            if !frames.isEmpty {
                try await DatabaseBlobStore(database: tx, references: BlobReferences.all).putAll(frames)
            }
            try await observations.create(on: tx)
            if !sightings.isEmpty { try await sightings.create(on: tx) }
            for (id, camera) in cameras {
                var update = Device.query(on: tx).filter(\.$id == id).set(\.$lastSeenAt, to: camera.seen)
                if let hash = camera.hash { update = update.set(\.$lastFrameHash, to: hash) }
                try await update.update()
            }
        }
    }
}
