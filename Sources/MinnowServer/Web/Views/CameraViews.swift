// The Sightings tab ("where was it last seen"): a search form, the sightings newest first as
// frames with their boxes drawn, a next-page link, and a form that sends the chosen frames to
// the dataset (unlabelled for the labelling queue, or labelled as seen). And the camera part of
// a device's page: its deployment, its key, the command that runs it.
import APITypes
import Foundation
import MinnowCore

extension Views {
    struct SightingsPage {
        let sightings: [Components.Schemas.Sighting]
        let cameras: [(id: String, name: String)]
        /// The search as given (label, deviceId, from, to, minScore, maxScore).
        let query: [String: String]
        let nextPage: String?
    }

    static func sightings(
        session: WebSession, project: Project, page: SightingsPage, errors: FormErrors, notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let cameras = [(value: "", text: "All cameras")] + page.cameras.map { (value: $0.id, text: $0.name) }
        let cards = page.sightings.map { sighting -> HTML in
            let frame: HTML =
                sighting.hasFrame
                ? "<div class=\"viewer\"><img src=\"\(APILink.observationFrame(id, observation: sighting.observationId).path)\" alt=\"\(sighting.label) seen by \(sighting.deviceName)\" loading=\"lazy\">\(boxOverlay(sightingBoxes(sighting)))</div>"
                : "<div class=\"no-frame\">frame not kept</div>"
            return """
                <li class="card">\(frame)<div class="body">
                <label><input type="checkbox" name="observationIds" value="\(sighting.observationId)" form="to-dataset"\(sighting.hasFrame ? .empty : HTML(" disabled"))>
                <strong>\(sighting.label)</strong> \(Formats.decimal(sighting.score, digits: 2))</label>
                <p class="muted">\(sighting.deviceName) · \(Formats.date(sighting.seenAt))\(positionText(sighting))</p></div></li>
                """
        }
        let results: HTML =
            page.sightings.isEmpty
            ? "<p class=\"muted\" id=\"no-sightings\">No sightings match. Cameras post frames with <code>minnow camera</code>; register one on the Devices tab.</p>"
            : """
            <ul class="cards sightings" id="sightings">\(cards)</ul>
            \(page.nextPage.map { HTML("<p><a href=\"\($0)\" rel=\"next\">Older sightings →</a></p>") })
            <form method="post" action="\(WebRoute.sightingsToDataset(id).path)" id="to-dataset" class="toolbar">\(csrfField(session))
            \(select("Add the chosen frames", name: "labelled", options: [(value: "0", text: "unlabelled (labelling queue)"), (value: "1", text: "labelled as seen")], selected: "0"))
            <button type="submit">Add to the dataset</button></form>
            """
        let query = page.query
        return layout(
            title: "Sightings", session: session, project: project, tab: .sightings, notice: notice,
            """
            <h2>Sightings</h2>
            <form method="get" action="\(WebRoute.sightings(id).path)" class="toolbar" role="search">
            \(field("Label", name: "label", value: query["label"] ?? "", errors: .none, attributes: "autocomplete=\"off\""))
            \(select("Camera", name: "deviceId", options: cameras, selected: query["deviceId"]))
            \(field("From (UTC)", name: "from", type: "datetime-local", value: query["from"] ?? "", errors: .none))
            \(field("To (UTC)", name: "to", type: "datetime-local", value: query["to"] ?? "", errors: .none))
            \(field("Min score", name: "minScore", type: "number", value: query["minScore"] ?? "", errors: .none, attributes: "min=\"0\" max=\"1\" step=\"0.01\""))
            \(field("Max score", name: "maxScore", type: "number", value: query["maxScore"] ?? "", errors: .none, attributes: "min=\"0\" max=\"1\" step=\"0.01\""))
            <button type="submit">Search</button>
            </form>
            \(errorSummary(errors))
            <p class="muted">Newest first: the first is where it was last seen. <a href="\(WebRoute.images(id).with([("unlabelled", "1"), ("source", "device")]))">Labelling queue</a></p>
            \(results)
            """)
    }

    /// The model's output cell around a detected object's centre; none for a classification.
    static func sightingBoxes(_ sighting: Components.Schemas.Sighting) -> [BoxSpec] {
        guard let x = sighting.x, let y = sighting.y, let width = sighting.width, let height = sighting.height,
            let box = BoxSpec(label: sighting.label, x: x - width / 2, y: y - height / 2, width: width, height: height)
                .clamped
        else { return [] }
        return [box]
    }

    private static func positionText(_ sighting: Components.Schemas.Sighting) -> String {
        guard let x = sighting.x, let y = sighting.y else { return "" }
        return " · at \(Formats.decimal(x, digits: 2)), \(Formats.decimal(y, digits: 2))"
    }

    /// A camera's deployment, key and command, on its device page.
    static func cameraSection(
        session: WebSession, project: Project, device: Components.Schemas.Device, deployments: [String],
        newKey: String?, serverURL: String
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let options = [(value: "", text: "None")] + deployments.map { (value: $0, text: $0) }
        let command =
            "MINNOW_TOKEN=\(newKey ?? "<the camera's key>") minnow camera --server \(serverURL) --project \(id) --device \(device.id) --folder /path/to/photos"
        return """
            <h2>Camera</h2>
            <form method="post" action="\(WebRoute.cameraDeployment(id, device: device.id).path)" class="toolbar">\(csrfField(session))
            \(select("Deployment that reads its frames", name: "deployment", options: options, selected: device.deployment ?? ""))
            <button type="submit">Save</button></form>
            \(newKey.map { HTML("<p class=\"notice\" role=\"status\" id=\"camera-key\">The camera's key (shown once): <code>\($0)</code></p>") } ?? .empty)
            <p>Run on the camera:</p><pre class="log" id="camera-command">\(command)</pre>
            <form method="post" action="\(WebRoute.createCameraKey(id, device: device.id).path)">\(csrfField(session))<button type="submit" class="secondary">Create a key for this camera</button></form>
            <p><a href="\(WebRoute.sightings(id).with([("deviceId", device.id)]))">What it saw →</a></p>
            """
    }
}
