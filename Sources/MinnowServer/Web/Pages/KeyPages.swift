// API keys: list, create (the secret is shown once, on the page the form redirects to), revoke.
import Fluent
import MinnowCore
import Vapor

extension WebRoutes {
    func registerKeyPages(on routes: any RoutesBuilder) {
        routes.get(.keys) { request in
            let session = try await requireSession(request)
            var created: (key: APIKey, secret: String)?
            if let revealed = services.secretReveal.take(request, session: session),
                let id = UUID(uuidString: revealed.subject),
                let key = try await APIKey.query(on: request.db).filter(\.$id == id).filter(
                    \.$owner.$id == session.userID
                ).first()
            {
                created = (key, revealed.value)
            }
            let response = try await keysPage(request, session, created: created, notice: notice(request))
            if created != nil { services.secretReveal.shown(on: response, request: request) }
            return response
        }
        routes.post(.keys) { request in try await createKey(request) }
        routes.post(WebRoute.revokeKey) { request in
            let session = try await requireForm(request)
            guard try await APIKeys(db: request.db).revoke(request.parameter(.keyID) ?? "", ownerID: session.userID)
            else {
                throw PageError.notFound
            }
            return Page.redirect(WebRoute.keys.notice("key-revoked"))
        }
    }

    private struct KeyForm: Content {
        var name: String?
        var projectId: String?
        var permissions: [String]?
        var expiresInDays: Int?
    }

    private func createKey(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let form = try request.content.decode(KeyForm.self)
        let permissions = Set((form.permissions ?? []).compactMap(Permission.init(rawValue:)))
        let expiresAt = form.expiresInDays.flatMap { $0 > 0 ? Date().addingTimeInterval(Double($0) * 86400) : nil }
        let result = try await APIKeys(db: request.db).create(
            ownerID: session.userID, name: form.name ?? "", projectID: form.projectId ?? "", permissions: permissions,
            expiresAt: expiresAt
        )
        switch result {
        case .success(let created):
            return try services.secretReveal.redirect(
                to: .keys, revealing: .init(subject: try created.key.requireID().uuidString, value: created.secret),
                session: session, request: request)
        case .failure(.notFound):
            return try await keysPage(
                request, session, form: form.name ?? "",
                errors: FormErrors(fields: ["projectId": "Choose one of your projects."]), status: .unprocessableEntity)
        case .failure(let failure):
            return try await keysPage(
                request, session, form: form.name ?? "", errors: FormErrors(failure), status: .unprocessableEntity)
        }
    }

    private func keysPage(
        _ request: Request, _ session: WebSession, form name: String = "",
        created: (key: APIKey, secret: String)? = nil,
        errors: FormErrors = .none, notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let (keys, _) = try await APIKeys(db: request.db).list(
            ownerID: session.userID, page: Paging(page: 1, perPage: 100))
        let projects = try await Project.query(on: request.db).filter(\.$owner.$id == session.userID).sort(\.$name)
            .all()
        let names = Dictionary(
            uniqueKeysWithValues: projects.compactMap { project in project.id.map { ($0, project.name) } })
        return Page.response(
            Views.keys(
                session: session, keys: keys, projectNames: names, projects: projects, name: name,
                created: created, errors: errors, notice: notice), status: status)
    }
}
