// Projects: the list (thumbnail and counts per project) with the create form, and a
// project's settings page (rename, describe, delete).
import Fluent
import MinnowCore
import NeuralNet
import Vapor

extension WebRoutes {
    func registerProjectPages(on routes: any RoutesBuilder) {
        routes.get(.projects) { request in
            let session = try await requireSession(request)
            return try await projectsPage(request, session, notice: notice(request))
        }
        routes.post(.projects) { request in try await createProject(request) }
        routes.get(WebRoute.project) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            return Page.redirect(WebRoute.images(try project.requireID().apiString).path)
        }
        routes.get(WebRoute.projectSettings) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            return Page.response(
                Views.projectSettings(session: session, project: project, errors: .none, notice: notice(request)))
        }
        routes.post(WebRoute.projectSettings) { request in try await saveProject(request) }
        routes.post(WebRoute.deleteProject) { request in try await deleteProject(request) }
    }

    private struct ProjectForm: Content {
        var name: String?
        var description: String?
        var task: String?
        var confirmName: String?
    }

    private func createProject(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let form = try request.content.decode(ProjectForm.self)
        guard let task = form.task.flatMap(ModelTask.init(rawValue:)) else {
            return try await projectsPage(
                request, session, form: form,
                errors: FormErrors(fields: ["task": "Choose classification or detection."]),
                status: .unprocessableEntity)
        }
        switch try await Projects(db: request.db).create(
            ownerID: session.userID, name: form.name ?? "", description: form.description, task: task)
        {
        case .success(let project):
            return Page.redirect(WebRoute.upload(try project.requireID().apiString).notice("project-created"))
        case .failure(let failure):
            return try await projectsPage(
                request, session, form: form, errors: FormErrors(failure), status: .unprocessableEntity)
        }
    }

    private func saveProject(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(ProjectForm.self)
        switch try await Projects(db: request.db).update(
            project, name: form.name ?? "", description: form.description ?? "", input: nil)
        {
        case .success:
            return Page.redirect(WebRoute.projectSettings(try project.requireID().apiString).notice("project-saved"))
        case .failure(let failure):
            try await project.restore(on: request.db)
            return Page.response(
                Views.projectSettings(
                    session: session, project: project, errors: FormErrors(failure), notice: nil, typed: form.name),
                status: .unprocessableEntity)
        }
    }

    private func deleteProject(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(ProjectForm.self)
        guard form.confirmName == project.name else {
            let errors = FormErrors(fields: ["confirmName": "Type the project's name, \(project.name), to confirm."])
            return Page.response(
                Views.projectSettings(session: session, project: project, errors: errors, notice: nil),
                status: .unprocessableEntity)
        }
        try await Projects(db: request.db).delete(project)
        return Page.redirect(WebRoute.projects.notice("project-deleted"))
    }

    private func projectsPage(
        _ request: Request, _ session: WebSession, form: ProjectForm? = nil, errors: FormErrors = .none,
        notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let page = Paging(page: request.query[Int.self, at: "page"], perPage: 24)
        let (projects, total) = try await Projects(db: request.db).list(ownerID: session.userID, page: page)
        var summaries: [Views.ProjectSummary] = []
        for project in projects {
            let id = try project.requireID()
            let images = DatasetImage.query(on: request.db).filter(\.$project.$id == id)
            summaries.append(
                .init(
                    project: project,
                    images: try await images.count(),
                    labels: try await images.copy().filter(\.$label != nil).unique().all(\.$label).count,
                    cover: try await images.copy().sort(\.$createdAt, .descending).sort(\.$id).first()?.id
                ))
        }
        return Page.response(
            Views.projects(
                session: session, summaries: summaries, page: page, total: total,
                name: form?.name ?? "", description: form?.description ?? "", task: form?.task,
                errors: errors, notice: notice), status: status)
    }
}

extension Project {
    /// Undoes unsaved changes after a failed save, so the page shows what is stored.
    func restore(on db: any Database) async throws {
        guard let id, let stored = try await Project.find(id, on: db) else { return }
        name = stored.name
        description = stored.description
    }
}
