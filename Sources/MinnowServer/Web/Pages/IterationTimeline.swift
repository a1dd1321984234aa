// What an iteration's event log says so far, for pages rendered while it trains: the
// metrics of each finished epoch, the latest log lines, and the id of the last event (the
// page's script asks the event stream for what comes after it).
import APITypes
import Fluent
import Foundation
import MinnowCore

struct IterationTimeline {
    var epochs: [Components.Schemas.EpochMetrics] = []
    /// Status and log events with a message, the latest `logLimit`.
    var logs: [JobEvents.Event] = []
    var lastEventID = 0

    static func load(jobID: UUID?, logLimit: Int = 100, on db: any Database) async throws -> IterationTimeline {
        var timeline = IterationTimeline()
        guard let jobID else { return timeline }
        let pageSize = 500
        while true {
            let events = try await JobEvents.after(Int64(timeline.lastEventID), jobID: jobID, limit: pageSize, on: db)
            for event in events {
                if event.kind == .epoch, let epoch = event.epoch { timeline.epochs.append(.init(epoch)) }
                if event.kind == .log || event.kind == .status, event.message != nil { timeline.logs.append(event) }
            }
            timeline.lastEventID = events.last?.id ?? timeline.lastEventID
            if events.count < pageSize { break }
        }
        timeline.logs = Array(timeline.logs.suffix(logLimit))
        return timeline
    }
}
