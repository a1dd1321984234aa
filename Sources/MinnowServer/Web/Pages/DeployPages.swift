// The Deploy tab: publish, re-point, rotate the key, unpublish (the same domain actions as
// the API). A new prediction key is shown once, on the page the form redirects to.
import APITypes
import Fluent
import MinnowCore
import Vapor

extension WebRoutes {
    func registerDeployPages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.deploy) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            let newKey = services.secretReveal.take(request, session: session).map { (name: $0.subject, key: $0.value) }
            let response = try await deployPage(
                request, session, project, newKey: newKey,
                form: ("", request.query[String.self, at: "iteration"] ?? ""), notice: notice(request))
            if newKey != nil { services.secretReveal.shown(on: response, request: request) }
            return response
        }
        routes.post(WebRoute.deploy) { request in try await publish(request) }
        routes.post(WebRoute.repointDeployment) { request in try await repoint(request) }
        routes.post(WebRoute.rotateDeploymentKey) { request in
            let (session, project, deployment) = try await deploymentForm(request)
            let key = try await deployments(request).rotateKey(deployment)
            return try showKey(key, of: deployment, in: project, session: session, request: request)
        }
        routes.post(WebRoute.unpublishDeployment) { request in
            let (_, project, deployment) = try await deploymentForm(request)
            try await deployments(request).unpublish(deployment)
            return Page.redirect(WebRoute.deploy(try project.requireID().apiString).notice("unpublished"))
        }
    }

    private struct PublishForm: Content {
        var name: String?
        var iterationId: String?
    }

    private func deployments(_ request: Request) -> Deployments {
        Deployments(db: request.db, directory: services.deployments)
    }

    /// A form about one of the project's deployments, else "not found".
    private func deploymentForm(_ request: Request) async throws -> (WebSession, Project, Deployment) {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        guard let deployment = try await deployments(request).find(request.parameter(.name) ?? "", in: project) else {
            throw PageError.notFound
        }
        return (session, project, deployment)
    }

    private func publish(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(PublishForm.self)
        let name = (form.name ?? "").trimmingCharacters(in: .whitespaces)
        switch try await deployments(request).publish(form.iterationId ?? "", of: project, as: name) {
        case .success(let created):
            return try showKey(created.key, of: created.deployment, in: project, session: session, request: request)
        case .failure(let failure):
            let errors =
                failure.field.map { FormErrors(fields: [$0: failure.message]) }
                ?? FormErrors(fields: ["iterationId": "Choose a trained iteration."])
            return try await deployPage(
                request, session, project, form: (name, form.iterationId ?? ""), errors: errors,
                status: .unprocessableEntity)
        }
    }

    /// Back to the Deploy tab, which shows the new key once.
    private func showKey(
        _ key: String, of deployment: Deployment, in project: Project, session: WebSession, request: Request
    ) throws -> Response {
        try services.secretReveal.redirect(
            to: .deploy(try project.requireID().apiString), revealing: .init(subject: deployment.name, value: key),
            session: session, request: request)
    }

    private func repoint(_ request: Request) async throws -> Response {
        let (session, project, deployment) = try await deploymentForm(request)
        let form = try request.content.decode(PublishForm.self)
        switch try await deployments(request).repoint(deployment, to: form.iterationId ?? "", of: project) {
        case .success:
            return Page.redirect(WebRoute.deploy(try project.requireID().apiString).notice("repointed"))
        case .failure(let failure):
            return try await deployPage(
                request, session, project, errors: FormErrors(general: failure.message), status: .unprocessableEntity)
        }
    }

    private func deployPage(
        _ request: Request, _ session: WebSession, _ project: Project, newKey: (name: String, key: String)? = nil,
        form: (name: String, iterationID: String) = ("", ""), errors: FormErrors = .none,
        notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let published = try await deployments(request).list(in: project)
        let trained = try await Iteration.query(on: request.db).filter(\.$project.$id == project.requireID())
            .filter(\.$status == .succeeded).sort(\.$number, .descending).all()
        let host = request.headers.first(name: .host) ?? "127.0.0.1:8080"
        let scheme = request.headers.first(name: "X-Forwarded-Proto") == "https" ? "https" : "http"
        var page = Views.DeployPage(
            deployments: try published.map { try $0.api(now: Date()) },
            trained: try trained.map { (id: try $0.requireID().apiString, number: $0.number) },
            newKey: newKey, origin: "\(scheme)://\(host)")
        page.form = form
        let response = Page.response(
            Views.deploy(session: session, project: project, page: page, errors: errors, notice: notice), status: status
        )
        return response
    }
}
