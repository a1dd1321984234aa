// A project's data: the thumbnail grid with filters and pagination, multi-select actions
// (relabel, unlabel, move split, delete), one image's page, and the upload page (whose
// script sends files to the JSON API).
import APITypes
import Fluent
import MinnowCore
import Vapor

extension WebRoutes {
    static let imagesPerPage = 60

    func registerDataPages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.images) { request in
            let session = try await requireSession(request)
            return try await dataPage(request, session, try await project(request, session), notice: notice(request))
        }
        routes.post(WebRoute.imagesBatch) { request in try await applyBatch(request) }
        routes.get(WebRoute.image) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            return try await imagePage(request, session, project, notice: notice(request))
        }
        routes.post(WebRoute.image) { request in try await saveImage(request) }
        routes.get(WebRoute.upload) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            let labels = try await DatasetSnapshot.labelCounts(projectID: project.requireID(), on: request.db).map(
                \.label)
            return Page.response(
                Views.upload(session: session, project: project, labels: labels, notice: notice(request)))
        }
    }

    /// The grid's filter, read from the page's query string.
    private func filter(_ request: Request) -> ImageFilter {
        func value(_ name: String) -> String? { request.query[String.self, at: name].flatMap { $0.isEmpty ? nil : $0 } }
        return ImageFilter(
            label: value("label"),
            split: value("split").flatMap(ImageSplit.init(rawValue:)),
            source: value("source").flatMap(ImageSource.init(rawValue:)),
            unlabelled: value("unlabelled") == "1",
            order: value("sort").flatMap(ImageFilter.Order.init) ?? .newest
        )
    }

    private func dataPage(
        _ request: Request, _ session: WebSession, _ project: Project, errors: FormErrors = .none,
        batch: BatchForm? = nil,
        notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let filter = filter(request)
        let page = Paging(page: request.query[Int.self, at: "page"], perPage: Self.imagesPerPage)
        let projectID = try project.requireID()
        let (images, total) = try await filter.query(projectID: projectID, on: request.db).page(page)
        let labels = try await DatasetSnapshot.labelCounts(projectID: projectID, on: request.db).map(\.label)
        return Page.response(
            Views.data(
                session: session, project: project, images: images, total: total, page: page, filter: filter,
                labels: labels, errors: errors, batch: batch, notice: notice), status: status)
    }

    struct BatchForm: Content {
        var ids: [String]?
        var action: String?
        var label: String?
        var split: String?
    }

    private func applyBatch(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(BatchForm.self)
        guard let action = form.action.flatMap(ImageCuration.Action.init(rawValue:)) else {
            return try await dataPage(
                request, session, project,
                errors: FormErrors(fields: ["action": "Choose what to do with the selected images."]), batch: form,
                status: .unprocessableEntity)
        }
        let ids = form.ids ?? []
        guard !ids.isEmpty else {
            return try await dataPage(
                request, session, project, errors: FormErrors(general: "Select at least one image first."), batch: form,
                status: .unprocessableEntity)
        }
        let curation = ImageCuration(db: request.db, projectID: try project.requireID())
        let label = form.label.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap {
            $0.isEmpty ? nil : $0
        }
        switch try await curation.apply(
            action, to: ids, label: label, split: form.split.flatMap(SplitChoice.init(rawValue:)))
        {
        case .success(let changed):
            let done =
                ["relabel": "relabelled", "unlabel": "unlabelled", "move": "moved", "delete": "deleted"][
                    action.rawValue] ?? "saved"
            var query = request.url.query.map { "?" + $0 + "&" } ?? "?"
            query += "notice=\(done)&n=\(changed)"
            return Page.redirect(WebRoute.images(try project.requireID().apiString).path + query)
        case .failure(let failure):
            return try await dataPage(
                request, session, project, errors: FormErrors(failure), batch: form, status: .unprocessableEntity)
        }
    }

    private func image(_ request: Request, _ project: Project) async throws -> DatasetImage {
        guard let id = request.idParameter(.imageID),
            let image = try await DatasetImage.query(on: request.db).filter(\.$id == id)
                .filter(\.$project.$id == project.requireID()).with(\.$boxes).first()
        else { throw PageError.notFound }
        return image
    }

    private func imagePage(
        _ request: Request, _ session: WebSession, _ project: Project, errors: FormErrors = .none,
        notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let image = try await image(request, project)
        let labels = try await DatasetSnapshot.labelCounts(projectID: project.requireID(), on: request.db).map(\.label)
        return Page.response(
            Views.image(
                session: session, project: project, image: image, labels: labels, errors: errors, notice: notice),
            status: status)
    }

    private struct ImageForm: Content {
        var label: String?
        var split: String?
        var delete: String?
    }

    /// One image's label and split, or its deletion: the same batch action as the grid's, for one image.
    private func saveImage(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let image = try await image(request, project)
        let form = try request.content.decode(ImageForm.self)
        let curation = ImageCuration(db: request.db, projectID: try project.requireID())
        let ids = [try image.requireID().apiString]
        let projectID = try project.requireID().apiString
        if form.delete != nil {
            _ = try await curation.apply(.delete, to: ids, label: nil, split: nil)
            return Page.redirect(WebRoute.images(projectID).notice("deleted", count: 1))
        }
        let label = (form.label ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let labelChange =
            try await label.isEmpty
            ? curation.apply(.unlabel, to: ids, label: nil, split: nil)
            : curation.apply(.relabel, to: ids, label: label, split: nil)
        if case .failure(let failure) = labelChange {
            return try await imagePage(
                request, session, project, errors: FormErrors(failure), status: .unprocessableEntity)
        }
        if let split = form.split.flatMap(SplitChoice.init(rawValue:)) {
            _ = try await curation.apply(.move, to: ids, label: nil, split: split)
        }
        return Page.redirect(WebRoute.image(projectID, image: ids[0]).notice("image-saved"))
    }
}
