// Label management: counts per label and split, rename (onto an existing label: merge),
// delete (keeping the images unlabelled, or deleting them).
import MinnowCore
import Vapor

extension WebRoutes {
    func registerLabelPages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.labels) { request in
            let session = try await requireSession(request)
            return try await labelsPage(request, session, try await project(request, session), notice: notice(request))
        }
        routes.post(WebRoute.renameLabel) { request in try await renameLabel(request) }
        routes.post(WebRoute.deleteLabel) { request in try await deleteLabel(request) }
    }

    private struct LabelForm: Content {
        var label: String?
        var name: String?
        var images: String?
    }

    private func labelsPage(
        _ request: Request, _ session: WebSession, _ project: Project, errors: FormErrors = .none,
        editing: String? = nil, notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let counts = try await DatasetSnapshot.labelCounts(projectID: project.requireID(), on: request.db)
        return Page.response(
            Views.labels(
                session: session, project: project, counts: counts, errors: errors, editing: editing, notice: notice),
            status: status)
    }

    private func renameLabel(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(LabelForm.self)
        let curation = ImageCuration(db: request.db, projectID: try project.requireID())
        switch try await curation.renameLabel(form.label ?? "", to: form.name ?? "") {
        case .success(let changed):
            return Page.redirect(
                WebRoute.labels(try project.requireID().apiString).notice("label-renamed", count: changed))
        case .failure(.notFound):
            throw PageError.notFound
        case .failure(let failure):
            return try await labelsPage(
                request, session, project, errors: FormErrors(failure), editing: form.label,
                status: .unprocessableEntity)
        }
    }

    private func deleteLabel(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(LabelForm.self)
        let choice: ImageCuration.ImagesOfDeletedLabel = form.images == "delete" ? .delete : .unlabel
        switch try await ImageCuration(db: request.db, projectID: try project.requireID()).deleteLabel(
            form.label ?? "", images: choice)
        {
        case .success(let changed):
            return Page.redirect(
                WebRoute.labels(try project.requireID().apiString).notice("label-deleted", count: changed))
        case .failure:
            throw PageError.notFound
        }
    }
}
