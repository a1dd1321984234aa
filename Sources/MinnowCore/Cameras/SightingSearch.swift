// "Where and when was it seen": sightings of a project newest first, narrowed by label,
// camera, time and score. Paged by a cursor (the last row's time and id) rather than by
// offset, so a page costs the same on the millionth row and new sightings arriving meanwhile
// neither repeat nor skip rows. Served by the (project, label, time, id) and (project, time,
// id) indexes.
import FluentKit
import Foundation

package struct SightingSearch {
    package struct Filter {
        package var label: String?
        package var deviceID: UUID?
        package var from: Date?
        package var to: Date?
        package var minScore: Double?
        package var maxScore: Double?

        package init(
            label: String? = nil, deviceID: UUID? = nil, from: Date? = nil, to: Date? = nil, minScore: Double? = nil,
            maxScore: Double? = nil
        ) {
            self.label = label
            self.deviceID = deviceID
            self.from = from
            self.to = to
            self.minScore = minScore
            self.maxScore = maxScore
        }
    }

    /// Where a page ends: the last sighting's time and id.
    package struct Cursor: Equatable {
        package var seenAtMicroseconds: Int64
        package var id: UUID

        package init(seenAtMicroseconds: Int64, id: UUID) {
            self.seenAtMicroseconds = seenAtMicroseconds
            self.id = id
        }

        package init?(_ text: String) {
            let parts = text.split(separator: "_")
            guard parts.count == 2, let time = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
                return nil
            }
            self.init(seenAtMicroseconds: time, id: id)
        }

        package var text: String { "\(seenAtMicroseconds)_\(id.apiString)" }
    }

    package let db: any Database

    /// A sighting as listed: with its camera's name and whether its frame is still kept.
    package struct Found {
        package let sighting: Sighting
        package let deviceName: String
        package let hasFrame: Bool

        package init(sighting: Sighting, deviceName: String, hasFrame: Bool) {
            self.sighting = sighting
            self.deviceName = deviceName
            self.hasFrame = hasFrame
        }
    }

    package func search(
        in projectID: UUID, _ filter: Filter, after cursor: Cursor?, limit: Int
    ) async throws -> (items: [Found], next: Cursor?) {
        var query = Sighting.query(on: db).filter(\.$project.$id == projectID)
        if let label = filter.label { query = query.filter(\.$label == label) }
        if let device = filter.deviceID { query = query.filter(\.$device.$id == device) }
        if let from = filter.from { query = query.filter(\.$seenAtMicroseconds >= Sighting.microseconds(from)) }
        if let to = filter.to { query = query.filter(\.$seenAtMicroseconds < Sighting.microseconds(to)) }
        if let minScore = filter.minScore { query = query.filter(\.$score >= minScore) }
        if let maxScore = filter.maxScore { query = query.filter(\.$score <= maxScore) }
        if let cursor {
            query = query.group(.or) { earlier in
                earlier.filter(\.$seenAtMicroseconds < cursor.seenAtMicroseconds)
                    .group(.and) {
                        $0.filter(\.$seenAtMicroseconds == cursor.seenAtMicroseconds).filter(\.$id < cursor.id)
                    }
            }
        }
        let rows = try await query.sort(\.$seenAtMicroseconds, .descending).sort(\.$id, .descending).limit(limit + 1)
            .all()
        let page = Array(rows.prefix(limit))
        let next =
            rows.count > limit ? page.last.map { Cursor(seenAtMicroseconds: $0.seenAtMicroseconds, id: $0.id!) } : nil
        // Two narrow lookups for the page rather than whole devices and observations (their JSON).
        let names = try await Device.query(on: db).filter(\.$id ~~ Set(page.map(\.$device.id))).field(\.$id).field(
            \.$name
        ).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        let kept = try await Observation.query(on: db).filter(\.$id ~~ Set(page.map(\.$observation.id))).filter(
            \.$frameStatus == .stored
        )
        .field(\.$id).all().reduce(into: Set<UUID>()) { $0.insert($1.id!) }
        let items = page.map {
            Found(sighting: $0, deviceName: names[$0.$device.id] ?? "", hasFrame: kept.contains($0.$observation.id))
        }
        return (items, next)
    }

    package init(db: any Database) {
        self.db = db
    }
}
