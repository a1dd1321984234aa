// One iteration's page: its configuration and dataset, live progress while it trains (the
// page's script follows the event stream), the curves, and once trained the results
// (float vs int8, confusion matrix, per-class table, misclassified images), the model card
// with downloads, the log, and delete.
import APITypes
import Foundation
import MinnowCore

extension Views {
    struct IterationPage {
        let iteration: Components.Schemas.Iteration
        let timeline: IterationTimeline
        let card: Components.Schemas.ModelCard?
        let publishedAs: [String]
    }

    static func iteration(
        session: WebSession, project: Project, page: IterationPage, errors: FormErrors, notice: String?
    ) -> HTML {
        let iteration = page.iteration
        let projectID = project.id?.apiString ?? ""
        let finished = [.succeeded, .failed, .canceled].contains(iteration.status)
        let failure: HTML =
            iteration.status == .failed
            ? HTML(
                "<p class=\"error-summary\" role=\"alert\">Training failed: \(iteration.error ?? "no reason was recorded.")</p>"
            ) : .empty
        let published: HTML =
            page.publishedAs.isEmpty
            ? .empty
            : HTML(
                "<p>Published as \(page.publishedAs.map { HTML("<code>\($0)</code> ") }) on the <a href=\"\(WebRoute.deploy(projectID).path)\">Deploy</a> tab.</p>"
            )
        return layout(
            title: "Iteration \(iteration.number)", session: session, project: project, tab: .iterations,
            notice: notice,
            """
            <p><a href="\(WebRoute.iterations(projectID).path)">← All iterations</a></p>
            <h2>Iteration \(iteration.number) \(statusBadge(iteration.status))</h2>
            \(iteration.note.map { HTML("<p>\($0)</p>") })
            \(errorSummary(errors))
            \(failure)
            \(published)
            \(configurationFacts(iteration))
            \(finished ? HTML.empty : liveProgress(project: project, iteration: iteration, after: page.timeline.lastEventID, session: session))
            <h2>Curves</h2>
            <div id="curves">\(curves(iteration.results?.curves ?? page.timeline.epochs))</div>
            \(iteration.results.map { results(project: project, iteration: iteration, $0) })
            \(page.card.map { modelCard($0, project: projectID, iteration: iteration.id) })
            <h2>Log</h2>
            <ol id="live-log" class="log">\(page.timeline.logs.map(logLine))</ol>
            <section class="danger-zone">
            <h2>Delete iteration</h2>
            <p>Deletes its results and model files. A published iteration must be unpublished or re-pointed first.</p>
            <form method="post" action="\(WebRoute.deleteIteration(projectID, iteration: iteration.id).path)" data-confirm="Delete iteration \(iteration.number)?">
            \(csrfField(session))<button type="submit" class="danger">Delete iteration \(iteration.number)</button>
            </form>
            </section>
            """)
    }

    static func statusBadge(_ status: Components.Schemas.IterationStatus) -> HTML {
        let kind =
            switch status {
            case .succeeded: "ok"
            case .queued, .running: "warn"
            case .failed, .canceled: "bad"
            }
        return "<span class=\"badge \(kind)\" id=\"status-badge\">\(status.rawValue)</span>"
    }

    static func inputText(_ input: Components.Schemas.InputSpec) -> String {
        "\(input.width)×\(input.height) \(input.colorMode.rawValue)"
    }

    private static func configurationFacts(_ iteration: Components.Schemas.Iteration) -> HTML {
        let c = iteration.configuration
        let architecture =
            c.architecture == .tinyCnn
            ? c.architecture.rawValue : "\(c.architecture.rawValue) (alpha \(TrainingForm.number(c.alpha)))"
        let facts: [(String, String)] = [
            ("Architecture", architecture), ("Input", "\(inputText(c.input)), \(c.resizeMode.rawValue)"),
            ("Epochs", String(c.epochs)), ("Batch size", String(c.batchSize)),
            (
                "Learning rate",
                "\(TrainingForm.number(c.learningRate)), \(c.optimizer.rawValue), \(c.schedule.rawValue)"
            ),
            ("Augmentation", c.augmentation ? "on" : "off"), ("Validation", Formats.percent(c.validationFraction)),
            ("Seed", String(c.seed)),
            (
                "Dataset",
                "\(iteration.dataset.train) train, \(iteration.dataset.test) test; labels \(iteration.dataset.labels.joined(separator: ", "))"
            ),
            ("Created", Formats.date(iteration.createdAt)),
            ("Training time", iteration.results.map { DurationText.words($0.trainingSeconds) } ?? "—"),
        ]
        return "<dl class=\"facts\">\(facts.map { HTML("<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>") })</dl>"
    }

    private static func liveProgress(
        project: Project, iteration: Components.Schemas.Iteration, after: Int, session: WebSession
    ) -> HTML {
        let progress = iteration.progress
        let fraction =
            progress.map { p in
                Double(max(p.epoch - 1, 0) * max(p.steps, 1) + p.step) / Double(max(p.epochs * max(p.steps, 1), 1))
            } ?? 0
        let projectID = project.id?.apiString ?? ""
        let events = APILink.iterationEvents(projectID, iteration: iteration.id).path
        return """
            <section id="live" class="live" data-events="\(events)" data-after="\(after)" data-curves="\(WebRoute.iterationCurves(projectID, iteration: iteration.id).path)">
            <h2>Progress</h2>
            <p>Status: <strong id="live-status" role="status">\(iteration.status.rawValue)</strong></p>
            <progress id="live-progress" max="1" value="\(Formats.decimal(min(fraction, 1)))" aria-label="Training progress"></progress>
            <ul class="stats">
            <li><strong id="live-epoch">\(progress.map { "\($0.epoch) / \($0.epochs)" } ?? "—")</strong> epoch</li>
            <li><strong id="live-step">\(progress.map { "\($0.step) / \($0.steps)" } ?? "—")</strong> step</li>
            <li><strong id="live-speed">\(progress.map { String(Int($0.imagesPerSecond.rounded())) } ?? "—")</strong> images/s</li>
            <li><strong id="live-eta">\(progress.map { DurationText.words($0.etaSeconds) } ?? "—")</strong> left</li>
            <li><strong id="live-loss">\(progress.map { Formats.decimal($0.loss) } ?? "—")</strong> loss</li>
            </ul>
            <form method="post" action="\(WebRoute.cancelIteration(projectID, iteration: iteration.id).path)" data-confirm="Stop training iteration \(iteration.number)?">
            \(csrfField(session))<button type="submit" class="danger" id="cancel-training">Cancel training</button>
            </form>
            </section>
            """
    }

    private static func logLine(_ event: JobEvents.Event) -> HTML {
        let time = ISO8601DateFormatter().string(from: event.time)
        return
            "<li><time datetime=\"\(time)\">\(String(time.dropFirst(11).prefix(8)))</time> \(event.message ?? "")</li>"
    }
}
