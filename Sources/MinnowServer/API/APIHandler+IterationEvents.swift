// Live progress of an iteration: server-sent events (resumable with Last-Event-ID) or JSON
// pages for polling. Both read the job's event log in the database, so they work whichever
// process or machine runs the job, and a client that reconnects after a server restart
// continues where it stopped.
import APITypes
import Fluent
import Foundation
import MinnowCore
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func iterationEvents(_ input: Operations.IterationEvents.Input) async throws -> Operations.IterationEvents.Output {
        try await answer { principal, db in
            guard
                let (iteration, job) = try await iteration(
                    input.path.projectId, input.path.iterationId, principal, .read, on: db),
                let jobID = job?.id, let iterationID = iteration.id
            else { return .notFound(.init(body: .json(.notFound("Iteration")))) }
            let after = Int64(input.headers.lastEventID.flatMap { Int($0) } ?? input.query.after ?? 0)
            let wantsStream = input.headers.accept.contains { $0.contentType == .textEventStream }
            guard wantsStream else {
                let deadline = Date().addingTimeInterval(Double(min(30, max(0, input.query.wait ?? 0))))
                while true {
                    let events = try await JobEvents.after(after, jobID: jobID, on: db)
                    let status = try await Iteration.find(iterationID, on: db)?.status ?? iteration.status
                    let finished = status.isFinished
                    if !events.isEmpty || finished || Date() >= deadline {
                        return .ok(
                            .init(
                                body: .json(
                                    .init(
                                        items: events.map(Components.Schemas.IterationEvent.init),
                                        status: .init(status),
                                        finished: finished && events.count < 500))))
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            let stream = AsyncThrowingStream<ArraySlice<UInt8>, any Error> { continuation in
                let task = Task {
                    do {
                        var last = after
                        var quietSince = Date()
                        while !Task.isCancelled {
                            let events = try await JobEvents.after(last, jobID: jobID, on: db)
                            for event in events {
                                continuation.yield(ArraySlice(Self.serverSentEvent(.init(event)).utf8))
                                last = Int64(event.id)
                            }
                            if events.isEmpty {
                                let status = try await Iteration.find(iterationID, on: db)?.status
                                if status?.isFinished ?? true { break }
                                if Date().timeIntervalSince(quietSince) > 15 {
                                    // keeps proxies from closing the stream
                                    continuation.yield(ArraySlice(": still working\n\n".utf8))
                                    quietSince = Date()
                                }
                                try await Task.sleep(for: .milliseconds(300))
                            } else {
                                quietSince = Date()
                            }
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return .ok(.init(body: .textEventStream(HTTPBody(stream, length: .unknown, iterationBehavior: .single))))
        }
    }

    static func serverSentEvent(_ event: Components.Schemas.IterationEvent) -> String {
        let data = (try? JSONText.encode(event)) ?? "{}"
        return "id: \(event.id)\nevent: \(event.kind.rawValue)\ndata: \(data)\n\n"
    }
}

extension Operations.IterationEvents.Output: RefusableOutput {}
