// Which camera frames a project keeps. At ingest: not a frame nearly identical to the
// camera's previous stored frame (difference hashes within `similarFrameDistance` bits), and,
// when the project keeps only frames with a detection, not one where nothing was detected.
// Later, run by the maintenance task: frames older than `frameDays` days, then the oldest
// frames over the `maxFrameBytes` cap, are expired. Observation rows always stay; blob garbage
// collection deletes the bytes no observation names any more.
import FluentKit
import Foundation
import SQLKit

package struct FrameRetention {
    package let frameDays: Int
    package let onlyWithDetections: Bool
    package let similarFrameDistance: Int
    package let maxFrameBytes: Int64

    package init(_ project: Project) {
        frameDays = project.frameDays
        onlyWithDetections = project.framesOnlyWithDetections
        similarFrameDistance = project.similarFrameDistance
        maxFrameBytes = project.maxFrameBytes
    }

    /// What becomes of a new frame with this difference hash.
    package func status(ofNew hash: UInt64, detection: Bool, detected: Bool, previous: Int64?) -> FrameStatus {
        if onlyWithDetections && detection && !detected { return .noDetection }
        if similarFrameDistance > 0, let previous,
            (UInt64(bitPattern: previous) ^ hash).nonzeroBitCount <= similarFrameDistance
        {
            return .similar
        }
        return .stored
    }

    /// Expires the project's frames that are too old or over its cap; returns how many for each reason.
    package func expire(
        in projectID: UUID, on db: any Database, now: Date = Date()
    ) async throws -> (old: Int, overCap: Int) {
        var old = 0, overCap = 0
        if frameDays > 0 {
            let cutoff = now.addingTimeInterval(-Double(frameDays) * 86_400)
            old = try await Self.expire(stored(projectID, on: db).filter(\.$receivedAt < cutoff), on: db)
        }
        if maxFrameBytes > 0 {
            var total = try await Self.storedBytes(in: projectID, on: db)
            while total > maxFrameBytes {
                let oldest = try await stored(projectID, on: db).sort(\.$receivedAt).sort(\.$id).limit(500).all()
                guard !oldest.isEmpty else { break }
                var expired: [UUID] = []
                for frame in oldest where total > maxFrameBytes {
                    expired.append(try frame.requireID())
                    total -= frame.frameBytes
                }
                overCap += try await Self.expire(stored(projectID, on: db).filter(\.$id ~~ expired), on: db)
            }
        }
        return (old, overCap)
    }

    private func stored(_ projectID: UUID, on db: any Database) -> QueryBuilder<Observation> {
        Observation.query(on: db).filter(\.$project.$id == projectID).filter(\.$frameStatus == .stored)
    }

    private static func expire(_ query: QueryBuilder<Observation>, on db: any Database) async throws -> Int {
        let ids = try await query.all(\.$id)
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            try await Observation.query(on: db).filter(\.$id ~~ chunk)
                .set(\.$frameStatus, to: .expired).set(\.$frameBlobID, to: nil).set(\.$frameBytes, to: 0).update()
        }
        return ids.count
    }

    /// Applies every project's retention; returns the frames expired.
    package static func run(on db: any Database, metrics: CameraMetrics?) async throws -> Int {
        var expired = 0
        let projects = try await Project.query(on: db).all()
        for project in projects {
            let (old, overCap) = try await FrameRetention(project).expire(in: project.requireID(), on: db)
            metrics?.expired(old: old, overCap: overCap)
            expired += old + overCap
        }
        if let metrics {
            let (count, bytes) = try await totals(projectID: nil, on: db)
            metrics.storedFrames(count: count, bytes: bytes)
        }
        return expired
    }

    private static func storedBytes(in projectID: UUID, on db: any Database) async throws -> Int64 {
        try await totals(projectID: projectID, on: db).bytes
    }

    /// Stored frames and their bytes, in one project or all (PostgreSQL sums BIGINT as NUMERIC: cast back).
    private static func totals(projectID: UUID?, on db: any Database) async throws -> (count: Int, bytes: Int64) {
        guard let sql = db as? any SQLDatabase else { return (0, 0) }
        let project: SQLQueryString = projectID.map { "AND project_id = \(bind: $0)" } ?? ""
        let row = try await sql.raw(
            """
            SELECT COUNT(*) AS frames, CAST(COALESCE(SUM(frame_bytes), 0) AS BIGINT) AS bytes FROM observations
            WHERE frame_status = \(FrameStatus.stored.sqlLiteral) \(project)
            """
        ).first()
        return (
            try row?.decode(column: "frames", as: Int.self) ?? 0, try row?.decode(column: "bytes", as: Int64.self) ?? 0
        )
    }
}
