// A trained iteration's results on its test split: float vs int8, the int8 confusion
// matrix and per-class table (int8 is what the board and the prediction API run), the
// test images int8 got wrong; then the model card (size, work, memory per board) and downloads.
import APITypes
import Firmware
import Foundation
import MinnowCore

extension Views {
    static func results(
        project: Project, iteration: Components.Schemas.Iteration, _ results: Components.Schemas.IterationResults
    ) -> HTML {
        let detection = project.task == .detection
        let metric = detection ? "F1" : "Accuracy"
        func value(_ result: Components.Schemas.EvaluationResult?) -> Double? {
            detection ? result?.f1 : result?.accuracy
        }
        let drop: String =
            if let float = value(results.float), let int8 = value(results.int8) { Formats.percent(int8 - float) } else {
                "—"
            }
        let matrix: HTML = {
            guard let counts = results.int8?.confusionMatrix, !counts.isEmpty else { return .empty }
            return Charts.confusionMatrix(
                title: "Confusion matrix (int8, test split)", labels: iteration.dataset.labels, counts: counts)
        }()
        let floatF1 = Dictionary(
            (results.float?.perClass ?? []).map { ($0.label, $0.f1) }, uniquingKeysWith: { first, _ in first })
        let classRows = (results.int8?.perClass ?? []).map { item -> HTML in
            "<tr><th scope=\"row\">\(item.label)</th><td>\(Formats.percent(item.precision))</td><td>\(Formats.percent(item.recall))</td><td>\(Formats.percent(item.f1))</td><td>\(Formats.percent(floatF1[item.label]))</td><td>\(item.support)</td></tr>"
        }
        let wrong = results.misclassified ?? []
        let gallery = wrong.map { item -> HTML in
            let scores = item.scores.prefix(3).map { "\($0.label) \(Formats.percent($0.score))" }.joined(
                separator: " · ")
            return """
                <li><img src="\(APILink.thumbnail(project.id?.apiString ?? "", image: item.imageId).path)" alt="\(item.fileName)" loading="lazy">
                <p><strong>\(item.label)</strong> → \(item.predicted)<br><span class="muted">\(scores)</span></p></li>
                """
        }
        return """
            <h2>Results on the test split</h2>
            <div class="table-wrap"><table class="compact">
            <thead><tr><th scope="col"></th><th scope="col">float</th><th scope="col">int8</th><th scope="col">int8 − float</th></tr></thead>
            <tbody>
            <tr><th scope="row">\(metric)</th><td id="float-metric">\(Formats.percent(value(results.float)))</td><td id="int8-metric">\(Formats.percent(value(results.int8)))</td><td>\(drop)</td></tr>
            <tr><th scope="row">Test images</th><td>\(results.float?.images ?? 0)</td><td>\(results.int8?.images ?? 0)</td><td></td></tr>
            </tbody></table></div>
            <p class="muted">Best epoch \(results.bestEpoch)\(results.stopReason == .earlyStopped ? " (stopped early)" : ""); \(Int(results.imagesPerSecond.rounded())) images/s while training.</p>
            \(matrix)
            \(classRows.isEmpty ? HTML.empty : """
            <h3>Per class (int8)</h3>
            <div class="table-wrap"><table class="compact">
            <thead><tr><th scope="col">Label</th><th scope="col">Precision</th><th scope="col">Recall</th><th scope="col">F1</th><th scope="col">F1 (float)</th><th scope="col">Test images</th></tr></thead>
            <tbody>\(classRows)</tbody></table></div>
            """)
            \(detection ? HTML.empty : HTML("<h3>Misclassified test images (int8)</h3>"))
            \(detection ? HTML.empty : wrong.isEmpty ? HTML("<p class=\"muted\">None: int8 got every test image right.</p>") : HTML("<ul class=\"gallery\">\(gallery)</ul>"))
            """
    }

    static func modelCard(_ card: Components.Schemas.ModelCard, project: String, iteration: String) -> HTML {
        func download(_ kind: String) -> String { APILink.artifact(project, iteration: iteration, kind: kind).path }
        let boards = card.boards.map { board -> HTML in
            let name = BoardProfile.named(board.board)?.displayName ?? board.board
            let fits: HTML =
                board.fits ? "<span class=\"badge ok\">fits</span>" : "<span class=\"badge bad\">too big</span>"
            return """
                <tr><th scope="row">\(name)</th><td>\(Formats.bytes(board.flashBytes))</td><td>\(Formats.bytes(board.ramBytes))</td><td>\(Formats.bytes(board.arenaBytes))</td>\
                <td title="\(board.latencyNote ?? "")">≥ \(String(format: "%.1f", board.estimatedMilliseconds)) ms\(board.latencyMethod == .emulated ? "" : " (est.)")</td><td>\(fits)</td><td>\(board.measured ? "compiled" : "estimated")</td></tr>
                """
        }
        let boardOptions = BoardProfile.all.map { HTML("<option value=\"\($0.name)\">\($0.displayName)</option>") }
        return """
            <h2>Model card</h2>
            <dl class="facts">
            <div><dt>Parameters</dt><dd>\(Formats.count(card.parameters))</dd></div>
            <div><dt>Multiply-accumulates</dt><dd>\(Formats.count(card.macs)) per image</dd></div>
            <div><dt>.tflite size</dt><dd>\(Formats.bytes(card.tfliteBytes))</dd></div>
            <div><dt>Working memory (arena)</dt><dd>\(Formats.bytes(card.arenaBytes))</dd></div>
            <div><dt>Input</dt><dd>\(card.input.width)×\(card.input.height) \(card.input.colorMode.rawValue), \(card.input.resizeMode.rawValue)</dd></div>
            <div><dt>Labels</dt><dd>\(card.labels.joined(separator: ", "))</dd></div>
            </dl>
            <h3>Memory per board</h3>
            <div class="table-wrap"><table class="compact">
            <thead><tr><th scope="col">Board</th><th scope="col">Flash</th><th scope="col">RAM</th><th scope="col">Arena</th><th scope="col">Time per image</th><th scope="col">Fits</th><th scope="col">Figures</th></tr></thead>
            <tbody>\(boards)</tbody></table></div>
            <p class="muted">Time per image: instructions per inference counted on an emulated core of the board's CPU (qemu -icount), at the board's clock. It is a lower bound, since real boards add wait states; "est." means estimated from instructions per multiply-accumulate.</p>
            <h2>Downloads</h2>
            <ul class="downloads">
            <li><a href="\(download("tflite"))" download>int8 model (.tflite)</a> for TensorFlow Lite Micro and LiteRT</li>
            <li><a href="\(download("c-library"))" download>C library (.zip)</a>: generated C, no interpreter</li>
            <li><a href="\(download("checkpoint"))" download>Float checkpoint</a> to keep training elsewhere</li>
            <li><a href="\(download("model-card"))">Model card (JSON)</a></li>
            </ul>
            <form method="get" action="\(download("arduino-library"))" class="toolbar" id="arduino-download">
            <div class="field"><label for="f-board">Arduino library for</label><select id="f-board" name="board">\(boardOptions)</select></div>
            <button type="submit">Download Arduino library</button>
            </form>
            """
    }
}
