// The Iterations tab: every training run with its status and int8/float accuracy, boxes to
// pick two or more for comparison; and the comparison: configurations and metrics side by
// side, with the curves overlaid.
import APITypes
import Foundation
import MinnowCore

extension Views {
    static func iterations(
        session: WebSession, project: Project, items: [Components.Schemas.Iteration], page: Paging, total: Int,
        errors: FormErrors, notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let detection = project.task == .detection
        func metric(_ result: Components.Schemas.EvaluationResult?) -> String {
            Formats.percent(detection ? result?.f1 : result?.accuracy)
        }
        let rows = items.map { item -> HTML in
            """
            <tr>
            <td><input type="checkbox" name="ids" value="\(item.id)" form="compare" aria-label="Compare iteration \(item.number)"></td>
            <th scope="row"><a href="\(WebRoute.iteration(id, iteration: item.id).path)">Iteration \(item.number)</a>\(item.note.map { HTML(" <span class=\"muted\">\($0)</span>") })</th>
            <td>\(statusBadge(item.status))</td>
            <td>\(item.configuration.architecture.rawValue)<br><span class="muted">\(inputText(item.configuration.input))</span></td>
            <td>\(metric(item.results?.float))</td><td>\(metric(item.results?.int8))</td>
            <td>\(Formats.date(item.createdAt))</td>
            </tr>
            """
        }
        return layout(
            title: "Iterations", session: session, project: project, tab: .iterations, notice: notice,
            """
            <h2>Iterations</h2>
            \(errorSummary(errors))
            \(items.isEmpty ? HTML("<p class=\"muted\">No iterations yet. <a href=\"\(WebRoute.train(id).path)\">Train a model</a>.</p>") : """
            <form method="get" action="\(WebRoute.compareIterations(id).path)" id="compare" class="toolbar">
            <button type="submit" class="secondary">Compare selected</button><span class="muted">Pick two or more.</span>
            </form>
            <div class="table-wrap"><table>
            <thead><tr><th scope="col"><span class="visually-hidden">Compare</span></th><th scope="col">Iteration</th><th scope="col">Status</th><th scope="col">Architecture</th>\
            <th scope="col">\(detection ? "F1" : "Accuracy") float</th><th scope="col">\(detection ? "F1" : "Accuracy") int8</th><th scope="col">Created</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            \(pagination(.iterations(id), query: [], page: page, total: total))
            """)
            <p><a class="button" href="\(WebRoute.train(id).path)">Train a new iteration</a></p>
            """)
    }

    static func compare(
        session: WebSession, project: Project,
        items: [(iteration: Components.Schemas.Iteration, card: Components.Schemas.ModelCard?)]
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let detection = project.task == .detection
        func row(
            _ name: String, _ value: (Components.Schemas.Iteration, Components.Schemas.ModelCard?) -> String
        ) -> HTML {
            "<tr><th scope=\"row\">\(name)</th>\(items.map { HTML("<td>\(value($0.iteration, $0.card))</td>") })</tr>"
        }
        func metric(_ result: Components.Schemas.EvaluationResult?) -> String {
            Formats.percent(detection ? result?.f1 : result?.accuracy)
        }
        let headers = items.map {
            HTML(
                "<th scope=\"col\"><a href=\"\(WebRoute.iteration(id, iteration: $0.iteration.id).path)\">Iteration \($0.iteration.number)</a></th>"
            )
        }
        let rows: [HTML] = [
            row("Status") { i, _ in i.status.rawValue },
            row("\(detection ? "F1" : "Accuracy") float") { i, _ in metric(i.results?.float) },
            row("\(detection ? "F1" : "Accuracy") int8") { i, _ in metric(i.results?.int8) },
            row("Architecture") { i, _ in
                i.configuration.architecture == .tinyCnn
                    ? "tiny-cnn"
                    : "\(i.configuration.architecture.rawValue) α \(TrainingForm.number(i.configuration.alpha))"
            },
            row("Input") { i, _ in "\(inputText(i.configuration.input)), \(i.configuration.resizeMode.rawValue)" },
            row("Epochs (best)") { i, _ in "\(i.configuration.epochs)\(i.results.map { " (\($0.bestEpoch))" } ?? "")" },
            row("Batch size") { i, _ in String(i.configuration.batchSize) },
            row("Learning rate") { i, _ in
                "\(TrainingForm.number(i.configuration.learningRate)) \(i.configuration.optimizer.rawValue) \(i.configuration.schedule.rawValue)"
            },
            row("Augmentation") { i, _ in i.configuration.augmentation ? "on" : "off" },
            row("Validation") { i, _ in Formats.percent(i.configuration.validationFraction) },
            row("Seed") { i, _ in String(i.configuration.seed) },
            row("Train / test images") { i, _ in "\(i.dataset.train) / \(i.dataset.test)" },
            row("Training time") { i, _ in DurationText.words(i.results?.trainingSeconds) },
            row("Parameters") { _, c in c.map { Formats.count($0.parameters) } ?? "—" },
            row("MACs per image") { _, c in c.map { Formats.count($0.macs) } ?? "—" },
            row(".tflite size") { _, c in c.map { Formats.bytes($0.tfliteBytes) } ?? "—" },
            row("Arena") { _, c in c.map { Formats.bytes($0.arenaBytes) } ?? "—" },
        ]
        let curves = items.map {
            (name: "Iteration \($0.iteration.number)", epochs: $0.iteration.results?.curves ?? [])
        }
        return layout(
            title: "Compare iterations", session: session, project: project, tab: .iterations,
            """
            <p><a href="\(WebRoute.iterations(id).path)">← All iterations</a></p>
            <h2>Compare iterations</h2>
            <div class="table-wrap"><table class="compare">
            <thead><tr><th scope="col"></th>\(headers)</tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            \(overlaidCurves(curves))
            """)
    }
}
