// The frame of every page: head (this site's stylesheet and script only), the top bar with
// the signed-in person's navigation, the project's tabs when inside a project, and main.
import Foundation
import MinnowCore

enum Views {}

/// Tabs inside a project, in the order of the work: data in, train, look at the results, deploy.
enum ProjectTab: String, CaseIterable {
    case images = "Data", upload = "Upload", labels = "Labels", analysis = "Analysis"
    case train = "Train", iterations = "Iterations", deploy = "Deploy", devices = "Devices", sightings = "Sightings",
        settings = "Settings"

    func route(project: String) -> WebRoute {
        switch self {
        case .images: .images(project)
        case .upload: .upload(project)
        case .labels: .labels(project)
        case .analysis: .analysis(project)
        case .train: .train(project)
        case .iterations: .iterations(project)
        case .deploy: .deploy(project)
        case .devices: .devices(project)
        case .sightings: .sightings(project)
        case .settings: .projectSettings(project)
        }
    }
}

extension Views {
    static func layout(
        title: String, session: WebSession?, project: Project? = nil, tab: ProjectTab? = nil, notice: String? = nil,
        _ content: HTML
    ) -> HTML {
        let pageTitle = project.map { "\(title) · \($0.name)" } ?? title
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(session.map { HTML("<meta name=\"csrf-token\" content=\"\($0.csrfToken)\">") })
            <title>\(pageTitle) — Minnow</title>
            <link rel="stylesheet" href="\(Assets.stylesheetPath)">
            <script src="\(Assets.scriptPath)" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <a class="brand" href="\(WebRoute.start.path)">Minnow</a>
            \(session.map(topNavigation))
            </header>
            \(project.map { projectHeader($0, tab: tab) })
            <main id="main" tabindex="-1">
            \(notice.map { HTML("<p class=\"notice\" role=\"status\">\($0)</p>") })
            \(content)
            </main>
            </body>
            </html>
            """
    }

    private static func topNavigation(_ session: WebSession) -> HTML {
        """
        <nav class="user" aria-label="Account">
        <a href="\(WebRoute.projects.path)">Projects</a>
        <a href="\(WebRoute.keys.path)">API keys</a>
        <a href="\(WebRoute.account.path)">\(session.user.username)</a>
        <form method="post" action="\(WebRoute.signOut.path)" class="inline">\(csrfField(session))<button type="submit" class="link">Sign out</button></form>
        </nav>
        """
    }

    private static func projectHeader(_ project: Project, tab: ProjectTab?) -> HTML {
        let id = project.id?.apiString ?? ""
        let tabs = ProjectTab.allCases.map { item -> HTML in
            let current: HTML = item == tab ? " aria-current=\"page\"" : ""
            return "<a href=\"\(item.route(project: id).path)\"\(current)>\(item.rawValue)</a>"
        }
        return """
            <div class="project-bar">
            <h1><a href="\(WebRoute.images(id).path)">\(project.name)</a> <span class="badge">\(project.task.rawValue)</span></h1>
            <nav class="tabs" aria-label="Project">\(tabs)</nav>
            </div>
            """
    }

    static func csrfField(_ session: WebSession) -> HTML {
        "<input type=\"hidden\" name=\"\(CSRFTokens.formField)\" value=\"\(session.csrfToken)\">"
    }

    static func message(title: String, text: String) -> HTML {
        layout(
            title: title, session: nil,
            """
            <section class="narrow">
            <h1>\(title)</h1>
            <p>\(text)</p>
            <p><a href="\(WebRoute.start.path)">Go to the start page</a></p>
            </section>
            """)
    }
}
