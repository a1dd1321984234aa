// The projects list with the create form, and a project's settings page.
import Foundation
import MinnowCore
import NeuralNet

extension Views {
    struct ProjectSummary {
        let project: Project
        let images: Int
        let labels: Int
        let cover: UUID?
    }

    static func projects(
        session: WebSession, summaries: [ProjectSummary], page: Paging, total: Int, name: String,
        description: String, task: String?, errors: FormErrors, notice: String?
    ) -> HTML {
        let cards = summaries.map { summary -> HTML in
            let id = summary.project.id?.apiString ?? ""
            let cover: HTML =
                summary.cover.map {
                    HTML("<img src=\"\(APILink.thumbnail(id, image: $0.apiString).path)\" alt=\"\" loading=\"lazy\">")
                } ?? .empty
            return """
                <li class="card">
                <a class="cover" href="\(WebRoute.images(id).path)" tabindex="-1" aria-hidden="true">\(cover)</a>
                <div class="body">
                <h2><a href="\(WebRoute.images(id).path)">\(summary.project.name)</a></h2>
                <p class="muted">\(summary.project.task.rawValue) · \(summary.images) images · \(summary.labels) labels</p>
                </div>
                </li>
                """
        }
        return layout(
            title: "Projects", session: session, notice: notice,
            """
            <h1>Projects</h1>
            \(summaries.isEmpty ? HTML("<p class=\"muted\">No projects yet: create one below.</p>") : HTML("<ul class=\"cards\">\(cards)</ul>"))
            \(pagination(.projects, query: [], page: page, total: total))
            <h2 id="new-project">New project</h2>
            \(errorSummary(errors))
            <form method="post" action="\(WebRoute.projects.path)" class="narrow-form" novalidate>
            \(csrfField(session))
            \(field("Name", name: "name", value: name, errors: errors, attributes: "required maxlength=\"100\""))
            \(select("Task", name: "task", options: [(ModelTask.classification.rawValue, "Classification: one label per image"), (ModelTask.detection.rawValue, "Detection: boxes around objects")], selected: task ?? ModelTask.classification.rawValue, errors: errors))
            \(field("Description (optional)", name: "description", value: description, errors: errors))
            <button type="submit">Create project</button>
            </form>
            """)
    }

    static func projectSettings(
        session: WebSession, project: Project, errors: FormErrors, notice: String?, typed: String? = nil
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        return layout(
            title: "Settings", session: session, project: project, tab: .settings, notice: notice,
            """
            <h2>Settings</h2>
            \(errorSummary(errors))
            <form method="post" action="\(WebRoute.projectSettings(id).path)" class="narrow-form" novalidate>
            \(csrfField(session))
            \(field("Name", name: "name", value: typed ?? project.name, errors: errors, attributes: "required maxlength=\"100\""))
            \(field("Description", name: "description", value: project.description, errors: errors))
            <p class="muted">Task: \(project.task.rawValue). Model input: \(project.inputWidth)×\(project.inputHeight) \(project.colorMode.rawValue).</p>
            <button type="submit">Save</button>
            </form>
            <section class="danger-zone">
            <h2>Delete project</h2>
            <p>Deletes the project with all its images, labels and keys. It cannot be undone.</p>
            <form method="post" action="\(WebRoute.deleteProject(id).path)" data-confirm="Delete this project and all its data?" novalidate>
            \(csrfField(session))
            \(field("Type the project's name to confirm", name: "confirmName", errors: errors, attributes: "autocomplete=\"off\" required"))
            <button type="submit" class="danger">Delete project</button>
            </form>
            </section>
            """)
    }

    static func pagination(_ route: WebRoute, query: [(String, String?)], page: Paging, total: Int) -> HTML {
        let pages = max(1, (total + page.perPage - 1) / page.perPage)
        guard pages > 1 else { return .empty }
        let previous: HTML =
            page.page > 1
            ? HTML("<a href=\"\(route.with(query + [("page", String(page.page - 1))]))\" rel=\"prev\">← Previous</a>")
            : .empty
        let next: HTML =
            page.page < pages
            ? HTML("<a href=\"\(route.with(query + [("page", String(page.page + 1))]))\" rel=\"next\">Next →</a>")
            : .empty
        return
            "<nav class=\"pagination\" aria-label=\"Pages\">\(previous)<span>Page \(page.page) of \(pages) (\(total))</span>\(next)</nav>"
    }
}
