// Shows an iteration's progress live from its server-sent events (a progress line with
// epoch, step, loss, accuracy, images/s and ETA; a line per epoch; log lines), reconnecting
// with Last-Event-ID when the connection drops, then prints the results.
import APITypes
import Foundation
import MinnowCore
import MinnowServer
import OpenAPIRuntime

struct IterationFollower {
    let client: Client
    let projectID: String
    let json: Bool

    func follow(_ iteration: Components.Schemas.Iteration) async throws {
        let progress = ProgressLine(enabled: !json)
        if !json {
            print(
                "Iteration \(iteration.number): \(iteration.configuration.architecture.rawValue), \(iteration.configuration.epochs) epochs, \(iteration.dataset.train) training images."
            )
        }
        var lastEventID: String?
        var failures = 0
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        while true {
            do {
                let response = try await client.iterationEvents(
                    path: .init(projectId: projectID, iterationId: iteration.id),
                    headers: .init(lastEventID: lastEventID, accept: [.init(contentType: .textEventStream)]))
                let body = try response.ok.body.textEventStream
                for try await event in body.asDecodedServerSentEventsWithJSONData(
                    of: Components.Schemas.IterationEvent.self, decoder: decoder)
                {
                    if let id = event.id { lastEventID = id }
                    guard let data = event.data else { continue }
                    failures = 0
                    show(data, progress: progress)
                }
                break  // the server ends the stream when the iteration has finished
            } catch let failure as CLIFailure {
                throw failure
            } catch {
                failures += 1
                guard failures <= 30 else {
                    throw CLIFailure("Lost the connection to the server (\(error)); the iteration goes on there.")
                }
                progress.update("Connection lost; reconnecting…", force: true)
                try await Task.sleep(for: .seconds(1))
            }
        }
        progress.finish()
        let finished = try await client.getIteration(path: .init(projectId: projectID, iterationId: iteration.id)).ok
            .body.json
        if json { return try Output.json(finished) }
        printSummary(finished)
        if finished.status == .failed { throw CLIFailure(finished.error ?? "The iteration failed.") }
    }

    private func show(_ event: Components.Schemas.IterationEvent, progress: ProgressLine) {
        if json {
            try? Output.jsonLine(event)
            return
        }
        switch event.kind {
        case .progress:
            guard let p = event.progress else { return }
            progress.update(
                String(
                    format: "epoch %d/%d  step %d/%d  loss %.4f  accuracy %.1f%%  %.0f images/s  ETA %@",
                    p.epoch, p.epochs, p.step, p.steps, p.loss, p.accuracy * 100, p.imagesPerSecond,
                    DurationText.compact(p.etaSeconds)))
        case .epoch, .log, .status:
            if let message = event.message {
                progress.update(message, force: true)
                progress.finish()
            }
        }
    }

    func printSummary(_ i: Components.Schemas.Iteration) {
        let c = i.configuration
        var fields: [(String, String)] = [
            ("Iteration", "\(i.number) (\(i.id))"), ("Status", i.status.rawValue + (i.error.map { ": \($0)" } ?? "")),
            (
                "Architecture",
                "\(c.architecture.rawValue)\(c.architecture == .tinyCnn ? "" : " alpha \(c.alpha)"), input \(c.input.width)x\(c.input.height) \(c.input.colorMode.rawValue), \(c.resizeMode.rawValue)"
            ),
            (
                "Training",
                "\(c.epochs) \(c.epochs == 1 ? "epoch" : "epochs"), batch \(c.batchSize), \(c.optimizer.rawValue) lr \(c.learningRate) \(c.schedule.rawValue), augmentation \(c.augmentation ? "on" : "off"), seed \(c.seed)"
            ),
            (
                "Dataset",
                "\(i.dataset.train) train, \(i.dataset.test) test, labels \(i.dataset.labels.joined(separator: ", "))"
            ),
        ]
        if let p = i.progress, i.status == .running {
            fields.append(
                (
                    "Progress",
                    String(
                        format: "epoch %d/%d, loss %.4f, ETA %@", p.epoch, p.epochs, p.loss,
                        DurationText.compact(p.etaSeconds))
                ))
        }
        if let r = i.results {
            fields.append(
                (
                    "Trained",
                    String(
                        format: r.trainingSeconds < 9.95
                            ? "%.1f s, %.0f images/s, best epoch %d (%@)" : "%.0f s, %.0f images/s, best epoch %d (%@)",
                        r.trainingSeconds, r.imagesPerSecond, r.bestEpoch, r.stopReason.rawValue)
                ))
            if let f = r.float, let q = r.int8 {
                let metric = f.accuracy != nil ? "accuracy" : "F1"
                let value = { (e: Components.Schemas.EvaluationResult) in
                    String(format: "%.2f%%", (e.accuracy ?? e.f1 ?? 0) * 100)
                }
                fields.append(("Test \(metric)", "\(value(f)) float, \(value(q)) int8 (\(q.images) images)"))
            }
        }
        Output.fields(fields)
        if let int8 = i.results?.int8 {
            print()
            Output.table(
                ["label", "precision", "recall", "F1", "support"],
                int8.perClass.map {
                    [
                        $0.label, String(format: "%.3f", $0.precision), String(format: "%.3f", $0.recall),
                        String(format: "%.3f", $0.f1), "\($0.support)",
                    ]
                })
        }
    }
}
