// The Iterations tab: the list, the comparison of several, one iteration's page (live while
// it trains; the curves fragment is what its script fetches after each epoch), cancel, delete.
import APITypes
import Fluent
import MinnowCore
import Vapor

extension WebRoutes {
    func registerIterationPages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.iterations) { request in
            let session = try await requireSession(request)
            return try await iterationsPage(
                request, session, try await project(request, session), notice: notice(request))
        }
        routes.get(WebRoute.compareIterations) { request in try await comparePage(request) }
        routes.get(WebRoute.iteration) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            return try await iterationPage(
                request, session, project, try await iteration(request, project), notice: notice(request))
        }
        routes.get(WebRoute.iterationCurves) { request in
            let session = try await requireSession(request)
            let (iteration, job) = try await iteration(request, try await project(request, session))
            if let curves = try iteration.api(job: job).results?.curves { return Page.response(Views.curves(curves)) }
            return Page.response(
                Views.curves(try await IterationTimeline.load(jobID: job?.id, logLimit: 0, on: request.db).epochs))
        }
        routes.post(WebRoute.cancelIteration) { request in
            try await changeIteration(request, deleting: false) { iterations, found in
                try await iterations.cancel(found.iteration, job: found.job)
            }
        }
        routes.post(WebRoute.deleteIteration) { request in
            try await changeIteration(request, deleting: true) { iterations, found in
                try await iterations.delete(found.iteration, job: found.job)
            }
        }
    }

    /// The project's iteration named in the path, else "not found".
    private func iteration(_ request: Request, _ project: Project) async throws -> (iteration: Iteration, job: Job?) {
        guard let found = try await Iterations(db: request.db).find(request.parameter(.iterationID) ?? "", in: project)
        else {
            throw PageError.notFound
        }
        return found
    }

    private func iterationsPage(
        _ request: Request, _ session: WebSession, _ project: Project, errors: FormErrors = .none,
        notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let page = Paging(page: request.query[Int.self, at: "page"], perPage: 24)
        let (found, total) = try await Iterations(db: request.db).list(in: project, page: page)
        let items = try found.map { try $0.iteration.api(job: $0.job) }
        return Page.response(
            Views.iterations(
                session: session, project: project, items: items, page: page, total: total,
                errors: errors, notice: notice), status: status)
    }

    private func comparePage(_ request: Request) async throws -> Response {
        let session = try await requireSession(request)
        let project = try await project(request, session)
        let ids =
            URLComponents(string: request.url.string)?.queryItems?.filter { $0.name == "ids" }.compactMap(\.value) ?? []
        var items: [(iteration: Components.Schemas.Iteration, card: Components.Schemas.ModelCard?)] = []
        for id in ids.prefix(8) {
            guard let found = try await Iterations(db: request.db).find(id, in: project) else {
                throw PageError.notFound
            }
            items.append(
                (
                    try found.iteration.api(job: found.job),
                    try found.iteration.storedModelCard().map(Components.Schemas.ModelCard.init)
                ))
        }
        guard items.count >= 2 else {
            return try await iterationsPage(
                request, session, project, errors: FormErrors(general: "Pick two or more iterations to compare."),
                status: .unprocessableEntity)
        }
        return Page.response(
            Views.compare(
                session: session, project: project, items: items.sorted { $0.iteration.number < $1.iteration.number }))
    }

    private func iterationPage(
        _ request: Request, _ session: WebSession, _ project: Project, _ found: (iteration: Iteration, job: Job?),
        errors: FormErrors = .none, notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let iteration = found.iteration
        let publishedAs = try await Deployment.query(on: request.db).filter(\.$iteration.$id == iteration.requireID())
            .all().map(\.name)
        let page = Views.IterationPage(
            iteration: try iteration.api(job: found.job),
            timeline: try await IterationTimeline.load(jobID: found.job?.id, on: request.db),
            card: try iteration.storedModelCard().map(Components.Schemas.ModelCard.init),
            publishedAs: publishedAs.sorted()
        )
        return Page.response(
            Views.iteration(session: session, project: project, page: page, errors: errors, notice: notice),
            status: status)
    }

    /// Cancel or delete: back to the iteration (or the list once it is gone), or its page with the reason.
    private func changeIteration(
        _ request: Request, deleting: Bool,
        _ change: (Iterations, (iteration: Iteration, job: Job?)) async throws -> Result<Void, DomainFailure>
    ) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let found = try await iteration(request, project)
        let projectID = try project.requireID().apiString
        switch try await change(Iterations(db: request.db), found) {
        case .success where deleting:
            services.models.forget(try found.iteration.requireID())
            return Page.redirect(WebRoute.iterations(projectID).notice("iteration-deleted"))
        case .success:
            return Page.redirect(
                WebRoute.iteration(projectID, iteration: try found.iteration.requireID().apiString).notice(
                    "training-canceled"))
        case .failure(.notFound):
            throw PageError.notFound
        case .failure(let failure):
            guard
                let fresh = try await Iterations(db: request.db).find(
                    try found.iteration.requireID().apiString, in: project)
            else { throw PageError.notFound }
            return try await iterationPage(
                request, session, project, fresh, errors: FormErrors(general: failure.message), status: .conflict)
        }
    }
}
