// The Train tab: the configuration form with the dataset's defaults, and starting an
// iteration (the same launcher as the API), which leads to the iteration's live page.
import MinnowCore
import Vapor

extension WebRoutes {
    func registerTrainPages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.train) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            return try await trainPage(request, session, project, form: nil, notice: notice(request))
        }
        routes.post(WebRoute.train) { request in try await startTraining(request) }
    }

    /// `form` nil shows the defaults.
    private func trainPage(
        _ request: Request, _ session: WebSession, _ project: Project, form: TrainingForm?, errors: FormErrors = .none,
        notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let analysis = DatasetAnalyzer.analyze(
            try await DatasetSnapshot.load(projectID: project.requireID(), on: request.db), task: project.task)
        var blockers: [String] = []
        var defaults = TrainingForm(project: project)
        var errors = errors
        switch try await IterationLauncher.plan(project: project, request: nil, on: request.db) {
        case .success(let plan): defaults = TrainingForm(plan.configuration)
        case .failure(.dataset(let reasons)): blockers = reasons
        case .failure(.configuration(let refusal)):
            if errors.general == nil, form == nil { errors.general = refusal.message }
        }
        return Page.response(
            Views.train(
                session: session, project: project, analysis: analysis, blockers: blockers,
                form: form ?? defaults, errors: errors, notice: notice), status: status)
    }

    private func startTraining(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(TrainingForm.self)
        let trainingRequest: TrainingRequest
        switch form.trainingRequest() {
        case .success(let parsed): trainingRequest = parsed
        case .failure(let errors):
            return try await trainPage(
                request, session, project, form: form, errors: errors, status: .unprocessableEntity)
        }
        switch try await IterationLauncher.launch(
            project: project, ownerID: session.userID, request: trainingRequest, on: request.db)
        {
        case .started(let iteration, _):
            return Page.redirect(
                WebRoute.iteration(try project.requireID().apiString, iteration: try iteration.requireID().apiString)
                    .notice("training-queued"))
        case .refused(.dataset):
            return try await trainPage(request, session, project, form: form, status: .unprocessableEntity)
        case .refused(.configuration(let refusal)):
            let field = refusal.field == "input" ? "width" : refusal.field
            let errors = field.map { FormErrors(fields: [$0: refusal.message]) } ?? FormErrors(general: refusal.message)
            return try await trainPage(
                request, session, project, form: form, errors: errors, status: .unprocessableEntity)
        }
    }
}
