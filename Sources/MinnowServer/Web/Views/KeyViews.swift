// The API keys page: the new key's secret (once), the create form, the list with revoke.
import Foundation
import MinnowCore

extension Views {
    static func keys(
        session: WebSession, keys: [APIKey], projectNames: [UUID: String], projects: [Project], name: String,
        created: (key: APIKey, secret: String)?, errors: FormErrors, notice: String?
    ) -> HTML {
        let createdPanel: HTML =
            created.map { created in
                """
                <section class="notice" role="status">
                <h2>New key “\(created.key.name)”</h2>
                <p>Copy it now: it is shown only this once and stored only as a hash.</p>
                <code class="secret" id="new-key">\(created.secret)</code>
                <p><button type="button" class="secondary" data-copy="#new-key" hidden>Copy</button></p>
                </section>
                """
            } ?? .empty
        let rows = keys.map { key -> HTML in
            let project = projectNames[key.$project.id] ?? "—"
            return """
                <tr>
                <td>\(key.name)</td><td><code>\(key.prefix)…</code></td><td>\(project)</td>
                <td>\(key.permissions.map(\.rawValue).sorted().joined(separator: ", "))</td>
                <td>\(key.createdAt.map(shortDate) ?? "")</td>
                <td>\(key.expiresAt.map(shortDate) ?? "never")</td>
                <td>\(key.lastUsedAt.map(shortDate) ?? "never")</td>
                <td><form method="post" action="\(WebRoute.revokeKey(key: key.id?.apiString ?? "").path)" data-confirm="Revoke this key? Scripts using it stop working.">\(csrfField(session))<button type="submit" class="secondary">Revoke</button></form></td>
                </tr>
                """
        }
        let projectOptions =
            [(value: "", text: "Choose a project")] + projects.map { (value: $0.id?.apiString ?? "", text: $0.name) }
        let permissionBoxes = Permission.allCases.map { permission -> HTML in
            let checked: HTML = permission == .read ? " checked" : ""
            return
                "<label class=\"check\"><input type=\"checkbox\" name=\"permissions[]\" value=\"\(permission.rawValue)\"\(checked)> \(permission.rawValue)</label> "
        }
        let permissionError: HTML =
            errors["permissions"].map { HTML("<p class=\"error\" id=\"f-permissions-error\">\($0)</p>") } ?? .empty
        return layout(
            title: "API keys", session: session, notice: notice,
            """
            <h1>API keys</h1>
            <p class="muted">Keys let scripts, cameras and bridges use one project with the permissions you give them. Send one as <code>Authorization: Bearer mnw_…</code>.</p>
            \(createdPanel)
            <h2>Create a key</h2>
            \(errorSummary(errors))
            \(projects.isEmpty ? HTML("<p>Create a <a href=\"\(WebRoute.projects.path)\">project</a> first: every key belongs to one.</p>") : """
            <form method="post" action="\(WebRoute.keys.path)" novalidate>
            \(csrfField(session))
            \(field("Name", name: "name", value: name, errors: errors, hint: "What uses it, e.g. “door camera”.", attributes: "required maxlength=\"100\""))
            \(select("Project", name: "projectId", options: projectOptions, selected: nil, errors: errors))
            <fieldset class="field\(errors["permissions"] != nil ? " has-error" : "")"><legend>Permissions</legend>\(permissionBoxes)\(permissionError)</fieldset>
            \(select("Expires", name: "expiresInDays", options: [("0", "never"), ("30", "in 30 days"), ("90", "in 90 days"), ("365", "in a year")], selected: "0"))
            <button type="submit">Create key</button>
            </form>
            """)
            <h2>Your keys</h2>
            \(keys.isEmpty ? HTML("<p class=\"muted\">No keys yet.</p>") : """
            <div class="table-wrap"><table>
            <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Project</th><th scope="col">Permissions</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            """)
            """)
    }

    static func shortDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
