// The Deploy tab: published names with their traffic and actions (re-point, rotate the
// key, unpublish), the publish form, the new prediction key (shown once), a "try it" box
// that sends a file or a webcam snapshot to the prediction API, and copy-paste snippets.
import APITypes
import Foundation
import MinnowCore

extension Views {
    struct DeployPage {
        let deployments: [Components.Schemas.Deployment]
        /// Trained iterations, newest first.
        let trained: [(id: String, number: Int)]
        /// A key just created or rotated, and the deployment it is for.
        var newKey: (name: String, key: String)?
        var form = (name: "", iterationID: "")
        /// e.g. `http://127.0.0.1:8080`, for the snippets.
        let origin: String
    }

    static func deploy(
        session: WebSession, project: Project, page: DeployPage, errors: FormErrors, notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let options = page.trained.map { (value: $0.id, text: "Iteration \($0.number)") }
        let rows = page.deployments.enumerated().map { index, deployment -> HTML in
            return """
                <tr>
                <th scope="row"><code>\(deployment.name)</code><br><span class="muted">\(deployment.endpoint)</span></th>
                <td><a href="\(WebRoute.iteration(id, iteration: deployment.iterationId).path)">Iteration \(deployment.iterationNumber)</a></td>
                <td><code>\(deployment.keyPrefix)…</code></td>
                <td>\(deployment.requests)</td><td>\(deployment.errors)</td>
                <td>\(deployment.averageLatencyMs.map { String(format: "%.1f ms", $0) } ?? "—")</td>
                <td>\(Formats.date(deployment.lastRequestAt))</td>
                <td>
                <form method="post" action="\(WebRoute.repointDeployment(id, name: deployment.name).path)" class="toolbar">\(csrfField(session))
                \(select("Serve", name: "iterationId", options: options, selected: deployment.iterationId, id: "repoint-\(index)"))
                <button type="submit" class="secondary">Re-point</button></form>
                <form method="post" action="\(WebRoute.rotateDeploymentKey(id, name: deployment.name).path)" class="inline" data-confirm="Replace the prediction key of \(deployment.name)? The old key stops working at once.">\(csrfField(session))<button type="submit" class="secondary">Rotate key</button></form>
                <form method="post" action="\(WebRoute.unpublishDeployment(id, name: deployment.name).path)" class="inline" data-confirm="Unpublish \(deployment.name)? Its endpoint stops answering.">\(csrfField(session))<button type="submit" class="danger">Unpublish</button></form>
                </td>
                </tr>
                """
        }
        let newKey: HTML =
            page.newKey.map { created in
                """
                <section class="created" aria-labelledby="new-key-title">
                <h3 id="new-key-title">Prediction key for <code>\(created.name)</code></h3>
                <p>Store it now: it is shown only this once. Rotate it to get a new one.</p>
                <code class="secret" id="new-prediction-key">\(created.key)</code>
                <button type="button" class="secondary" data-copy="#new-prediction-key" hidden>Copy</button>
                </section>
                """
            } ?? .empty
        let published =
            page.deployments.isEmpty
            ? HTML("<p class=\"muted\">Nothing is published yet.</p>")
            : """
            <div class="table-wrap"><table>
            <thead><tr><th scope="col">Name</th><th scope="col">Serves</th><th scope="col">Key</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">Average latency</th><th scope="col">Last request</th><th scope="col">Change</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            """
        let publishForm: HTML =
            page.trained.isEmpty
            ? HTML(
                "<p class=\"muted\">Publish a trained iteration; none has finished training yet. <a href=\"\(WebRoute.train(id).path)\">Train one</a>.</p>"
            )
            : """
            <form method="post" action="\(WebRoute.deploy(id).path)" class="narrow-form" novalidate>
            \(csrfField(session))
            \(field("Name", name: "name", value: page.form.name, errors: errors, hint: "The endpoint becomes /v1/predict/<name>: lowercase letters, digits and dashes, unique on this server.", attributes: "required maxlength=\"63\" autocomplete=\"off\""))
            \(select("Iteration", name: "iterationId", options: options, selected: page.form.iterationID.isEmpty ? nil : page.form.iterationID, errors: errors))
            <button type="submit">Publish</button>
            </form>
            """
        return layout(
            title: "Deploy", session: session, project: project, tab: .deploy, notice: notice,
            """
            <h2>Deployments</h2>
            \(errorSummary(errors))
            \(newKey)
            \(published)
            <h2>Publish an iteration</h2>
            \(publishForm)
            \(page.deployments.isEmpty ? HTML.empty : tryIt(project: project, page: page))
            \(page.deployments.isEmpty ? HTML.empty : snippets(page: page))
            """)
    }

    private static func tryIt(project: Project, page: DeployPage) -> HTML {
        let focus = page.newKey?.name
        let options = page.deployments.map { deployment -> HTML in
            let mark: HTML = deployment.name == focus ? " selected" : ""
            let predict = APILink.predict(deployment: deployment.name).path
            let quickTest = APILink.quickTest(project.id?.apiString ?? "", iteration: deployment.iterationId).path
            return
                "<option value=\"\(deployment.name)\" data-predict-url=\"\(predict)\" data-quick-test-url=\"\(quickTest)\"\(mark)>\(deployment.name) (iteration \(deployment.iterationNumber))</option>"
        }
        return """
            <section id="try-it" class="try-it">
            <h2>Try it</h2>
            <p class="muted">Sends an image to the prediction API, which answers with the int8 model: the same arithmetic as the board.</p>
            <div class="form-grid">
            <div class="field"><label for="try-deployment">Deployment</label><select id="try-deployment">\(options)</select></div>
            <div class="field"><label for="try-key">Prediction key</label><input id="try-key" type="password" autocomplete="off" value="\(page.newKey?.key ?? "")" aria-describedby="try-key-hint">
            <p class="hint" id="try-key-hint">Empty: a quick test of the same model with your session (not counted as a request).</p></div>
            </div>
            <div class="toolbar">
            <div class="field"><label for="try-file">Image (JPEG or PNG)</label><input id="try-file" type="file" accept="image/png,image/jpeg"></div>
            <button type="button" class="secondary" id="try-camera" hidden>Use the webcam</button>
            <button type="button" id="try-snapshot" hidden>Take a snapshot</button>
            </div>
            <video id="try-video" autoplay playsinline muted hidden></video>
            <div class="try-result">
            <img id="try-preview" alt="The image sent" hidden>
            <div><p id="try-status" role="status" class="muted">Choose an image to see the scores.</p>
            <table id="try-scores" class="compact" hidden><thead><tr><th scope="col">Label</th><th scope="col">Score</th></tr></thead><tbody></tbody></table></div>
            </div>
            <noscript><p>The try-it box needs JavaScript; the snippets below work without it.</p></noscript>
            </section>
            """
    }

    private static func snippets(page: DeployPage) -> HTML {
        guard let deployment = page.deployments.first(where: { $0.name == page.newKey?.name }) ?? page.deployments.first
        else { return .empty }
        let key = page.newKey?.name == deployment.name ? page.newKey!.key : "\(deployment.keyPrefix)…"
        let curl = """
            curl -X POST \(page.origin)\(deployment.endpoint) \\
              -H "Prediction-Key: \(key)" \\
              -H "Content-Type: image/jpeg" \\
              --data-binary @photo.jpg
            """
        let cli = "minnow predict \(deployment.name) photo.jpg --server \(page.origin) --key \(key)"
        return """
            <h2>Call it from code</h2>
            <p class="muted">For <code>\(deployment.name)</code>; \(page.newKey?.name == deployment.name ? "with the key above." : "put in the full key (shown when it was created or rotated).")</p>
            <h3>curl</h3>
            <pre id="snippet-curl">\(curl)</pre>
            <button type="button" class="secondary" data-copy="#snippet-curl" hidden>Copy</button>
            <h3>minnow CLI</h3>
            <pre id="snippet-cli">\(cli)</pre>
            <button type="button" class="secondary" data-copy="#snippet-cli" hidden>Copy</button>
            """
    }
}
