// The data grid (filters, multi-select actions, pagination, export) and one image's page.
import Foundation
import MinnowCore

extension Views {
    static func filterQuery(_ filter: ImageFilter) -> [(String, String?)] {
        [
            ("label", filter.label), ("split", filter.split?.rawValue), ("source", filter.source?.rawValue),
            ("unlabelled", filter.unlabelled ? "1" : nil),
            ("sort", filter.order == .newest ? nil : filter.order.rawValue),
        ]
    }

    static func data(
        session: WebSession, project: Project, images: [DatasetImage], total: Int, page: Paging, filter: ImageFilter,
        labels: [String], errors: FormErrors, batch: WebRoutes.BatchForm?, notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let base = WebRoute.images(id)
        let selected = Set(batch?.ids ?? [])
        let tiles = images.map { image -> HTML in
            let imageID = image.id?.apiString ?? ""
            let labelText =
                image.label
                ?? (image.boxes.isEmpty ? "unlabelled" : Set(image.boxes.map(\.label)).sorted().joined(separator: ", "))
            let checked: HTML = selected.contains(imageID) ? " checked" : ""
            return """
                <li class="tile">
                <input class="pick" type="checkbox" name="ids[]" value="\(imageID)" form="batch" aria-label="Select \(image.fileName)"\(checked)>
                <a href="\(WebRoute.image(id, image: imageID).path)"><img src="\(APILink.thumbnail(id, image: imageID).path)" alt="\(image.fileName), \(labelText)" loading="lazy" width="128" height="128"></a>
                <div class="meta" title="\(image.fileName)"><span class="badge \(image.split.rawValue)">\(image.split.rawValue)</span> \(labelText)</div>
                </li>
                """
        }
        let labelOptions = [(value: "", text: "Any label")] + labels.map { (value: $0, text: $0) }
        let exportQuery: [(String, String?)] = [("label", filter.label), ("split", filter.split?.rawValue)]
        let filtered = filter.label != nil || filter.split != nil
        let datalist: HTML = "<datalist id=\"label-list\">\(labels.map { HTML("<option value=\"\($0)\">") })</datalist>"
        return layout(
            title: "Data", session: session, project: project, tab: .images, notice: notice,
            """
            <form method="get" action="\(base.path)" class="toolbar" aria-label="Filter images">
            \(select("Label", name: "label", options: labelOptions, selected: filter.label, id: "filter-label"))
            \(select("Split", name: "split", options: [("", "Any split"), ("train", "train"), ("test", "test")], selected: filter.split?.rawValue, id: "filter-split"))
            \(select("Source", name: "source", options: [("", "Any source"), ("upload", "upload"), ("import", "import"), ("device", "device")], selected: filter.source?.rawValue, id: "filter-source"))
            \(select("Order", name: "sort", options: [("newest", "Newest first"), ("oldest", "Oldest first"), ("fileName", "File name")], selected: filter.order.rawValue, id: "filter-sort"))
            <div class="field"><label><input type="checkbox" name="unlabelled" value="1"\(filter.unlabelled ? HTML(" checked") : "")> Unlabelled only</label></div>
            <button type="submit" class="secondary">Filter</button>
            </form>
            <p class="muted">\(total) images\(filtered || filter.unlabelled || filter.source != nil ? " match" : ""). <a href="\(WebRoute.upload(id).path)">Add images</a> · <a href="\(APILink.datasetExport(id).path)" download>Export all as zip</a>\(filtered ? HTML(" · <a href=\"\(APILink.datasetExport(id).with(exportQuery))\" download>Export this filter</a>") : "")</p>
            \(errorSummary(errors))
            <form method="post" action="\(WebRoute.imagesBatch(id).with(filterQuery(filter) + [("page", page.page > 1 ? String(page.page) : nil)]))" id="batch" class="toolbar" aria-label="Change selected images">
            \(csrfField(session))
            <div class="field"><label><input type="checkbox" id="select-all"> Select all on this page</label><span id="selected-count" class="muted" aria-live="polite"></span></div>
            \(select("Action", name: "action", options: [("relabel", "Relabel"), ("unlabel", "Remove label"), ("move", "Move to split"), ("delete", "Delete")], selected: batch?.action ?? "relabel", errors: errors, id: "f-action"))
            \(field("New label", name: "label", value: batch?.label ?? "", errors: errors, attributes: "list=\"label-list\" autocomplete=\"off\""))
            \(select("Split", name: "split", options: [("train", "train"), ("test", "test"), ("auto", "automatic")], selected: batch?.split ?? "train", errors: errors, id: "f-split"))
            <button type="submit" data-confirm-delete="Delete the selected images?">Apply to selected</button>
            </form>
            \(datalist)
            \(images.isEmpty ? HTML("<p>No images here yet. <a href=\"\(WebRoute.upload(id).path)\">Upload images or a zip</a>.</p>") : HTML("<ul class=\"grid\">\(tiles)</ul>"))
            \(pagination(base, query: filterQuery(filter), page: page, total: total))
            """)
    }

    static func image(
        session: WebSession, project: Project, image: DatasetImage, labels: [String], errors: FormErrors,
        notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? "", imageID = image.id?.apiString ?? ""
        let overlay = boxOverlay(image.boxes)
        let datalist: HTML = "<datalist id=\"label-list\">\(labels.map { HTML("<option value=\"\($0)\">") })</datalist>"
        let boxList: HTML = project.task == .detection ? boxEditor(project: project, image: image) : .empty
        return layout(
            title: image.fileName, session: session, project: project, tab: .images, notice: notice,
            """
            <p><a href="\(WebRoute.images(id).path)">← All images</a></p>
            <h2>\(image.fileName)</h2>
            <div class="viewer\(project.task == .detection ? " drawable" : "")" id="box-canvas"><img src="\(APILink.imageContent(id, image: imageID).path)" alt="\(image.fileName)" draggable="false">\(overlay)</div>
            <p class="muted">\(image.width)×\(image.height) \(image.colorMode.rawValue) \(image.format.rawValue.uppercased()) · \(image.size) bytes · \(image.source.rawValue) · added \(image.createdAt.map(shortDate) ?? "")</p>
            \(boxList)
            <h2>\(project.task == .detection ? "Split" : "Label and split")</h2>
            \(errorSummary(errors))
            <form method="post" action="\(WebRoute.image(id, image: imageID).path)" class="narrow-form" novalidate>
            \(csrfField(session))
            \(project.task == .classification ? field("Label", name: "label", value: image.label ?? "", errors: errors, hint: "Empty removes the label.", attributes: "list=\"label-list\" autocomplete=\"off\"") : HTML("<input type=\"hidden\" name=\"label\" value=\"\(image.label ?? "")\">"))
            \(select("Split", name: "split", options: [("train", "train"), ("test", "test"), ("auto", "automatic (hash-based 80/20)")], selected: image.splitAutomatic ? "auto" : image.split.rawValue))
            <button type="submit">Save</button>
            <button type="submit" name="delete" value="1" class="danger" data-confirm="Delete this image?">Delete image</button>
            </form>
            \(datalist)
            """)
    }

    static func upload(session: WebSession, project: Project, labels: [String], notice: String?) -> HTML {
        let id = project.id?.apiString ?? ""
        let datalist: HTML = "<datalist id=\"label-list\">\(labels.map { HTML("<option value=\"\($0)\">") })</datalist>"
        return layout(
            title: "Upload", session: session, project: project, tab: .upload, notice: notice,
            """
            <h2>Add images</h2>
            <p>Drop JPEG or PNG images, or zip files. A zip with one folder per label (<code>cat/001.jpg</code>), optionally under <code>train/</code> and <code>test/</code>, becomes labelled images in those splits\(project.task == .detection ? HTML("; detection zips may carry YOLO, Pascal VOC or COCO annotations") : "").</p>
            <div class="toolbar">
            <div class="field"><label for="upload-label">Label for loose images (optional)</label><input type="text" id="upload-label" list="label-list" autocomplete="off"></div>
            <div class="field"><label for="upload-split">Split for loose images</label><select id="upload-split"><option value="auto">automatic</option><option value="train">train</option><option value="test">test</option></select></div>
            </div>
            \(datalist)
            <div id="dropzone" class="dropzone" data-images-url="\(APILink.images(id).path)" data-import-url="\(APILink.imageImport(id).path)" data-jobs-url="\(APILink.jobs.path)">
            <p><strong>Drag and drop files here</strong></p>
            <p><label for="file-input">or choose files:</label> <input type="file" id="file-input" multiple accept="image/jpeg,image/png,.zip,application/zip"></p>
            </div>
            <p id="upload-status" role="status" aria-live="polite"></p>
            <progress id="upload-progress" value="0" max="1" hidden></progress>
            <p id="upload-done" hidden><a class="button" href="\(WebRoute.images(id).path)">See the images</a> <a class="button secondary" href="\(WebRoute.analysis(id).path)">Analyse the dataset</a></p>
            <div class="table-wrap"><table class="report" hidden>
            <caption class="muted">Per-file report</caption>
            <thead><tr><th scope="col">File</th><th scope="col">Result</th><th scope="col">Reason</th></tr></thead>
            <tbody id="upload-report"></tbody>
            </table></div>
            <noscript><p>Uploading needs JavaScript in the browser; without it use the CLI: <code>minnow images upload DIR</code> or <code>minnow dataset import FILE.zip</code>.</p></noscript>
            """)
    }
}
