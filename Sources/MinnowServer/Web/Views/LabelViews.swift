// The labels page: a table of labels with counts, each with rename/merge and delete forms.
import Foundation
import MinnowCore

extension Views {
    static func labels(
        session: WebSession, project: Project, counts: [LabelCount], errors: FormErrors, editing: String?,
        notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let rows = counts.enumerated().map { index, count -> HTML in
            let rowErrors = count.label == editing ? errors : .none
            return """
                <tr>
                <th scope="row"><a href="\(WebRoute.images(id).with([("label", count.label)]))">\(count.label)</a></th>
                <td>\(count.train)</td><td>\(count.test)</td><td>\(count.total)</td>
                <td>
                <form method="post" action="\(WebRoute.renameLabel(id).path)" class="toolbar" novalidate>
                \(csrfField(session))<input type="hidden" name="label" value="\(count.label)">
                \(field("Rename “\(count.label)” to", name: "name", value: count.label == editing ? "" : count.label, errors: rowErrors, attributes: "required autocomplete=\"off\"", id: "rename-\(index)"))
                <button type="submit" class="secondary">Rename</button>
                </form>
                <form method="post" action="\(WebRoute.deleteLabel(id).path)" class="toolbar" data-confirm="Delete the label “\(count.label)”?">
                \(csrfField(session))<input type="hidden" name="label" value="\(count.label)">
                \(select("Images of “\(count.label)”", name: "images", options: [("unlabel", "keep, unlabelled"), ("delete", "delete them too")], selected: "unlabel", id: "delete-\(index)"))
                <button type="submit" class="danger">Delete label</button>
                </form>
                </td>
                </tr>
                """
        }
        return layout(
            title: "Labels", session: session, project: project, tab: .labels, notice: notice,
            """
            <h2>Labels</h2>
            <p class="muted">Renaming a label to the name of another label merges the two. Deleting a label keeps its images without a label, or deletes them too.</p>
            \(errors.general.map { HTML("<p class=\"error-summary\" role=\"alert\">\($0)</p>") })
            \(counts.isEmpty ? HTML("<p class=\"muted\">No labels yet. Label images on the <a href=\"\(WebRoute.images(id).path)\">Data</a> tab, or import a zip with one folder per label.</p>") : """
            <div class="table-wrap"><table>
            <thead><tr><th scope="col">Label</th><th scope="col">Train</th><th scope="col">Test</th><th scope="col">Total</th><th scope="col">Change</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            """)
            """)
    }
}
