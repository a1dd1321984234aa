// The web app: server-rendered pages on the same server as the JSON API. Pages are plain
// GET routes plus form POSTs (CSRF token + same-origin check on every one), grouped by area
// in `Pages/`; views live in `Views/`. Scripts in the browser talk to the JSON API itself
// (upload, zip import, job progress, thumbnails, export) with the session cookie, which
// `Authenticator` accepts beside bearer tokens. Every action calls the same domain services
// (`Domain/`) as the API.
import MinnowCore
import Vapor

struct WebRoutes: Sendable {
    let services: MinnowServices

    func register(on app: Application) throws {
        let pages = app.grouped(PageErrorMiddleware())
        pages.get(.start) { request in
            try await session(request) == nil
                ? request.redirect(to: WebRoute.signIn.path) : request.redirect(to: WebRoute.projects.path)
        }
        try Assets.register(on: app)
        registerAccountPages(on: pages)
        registerKeyPages(on: pages)
        registerProjectPages(on: pages)
        registerDataPages(on: pages)
        registerLabelPages(on: pages)
        registerAnalysisPages(on: pages)
        registerTrainPages(on: pages)
        registerIterationPages(on: pages)
        registerDeployPages(on: pages)
        registerDevicePages(on: pages)
        registerCameraPages(on: pages)
    }
}

/// A signed-in browser session: who, the token behind the cookie, and its forms' CSRF token.
struct WebSession {
    let user: User
    let claims: AccessTokenClaims
    let csrfToken: String

    var userID: UUID { claims.sub }
    var principal: Principal { .person(userID: claims.sub, token: claims) }
}

extension WebRoutes {
    func session(_ request: Request) async throws -> WebSession? {
        guard let found = try await services.authenticator.session(request) else { return nil }
        let (user, claims) = found
        return WebSession(user: user, claims: claims, csrfToken: services.authenticator.csrf.token(for: claims))
    }

    /// The session, or a redirect to the sign-in page (which comes back here afterwards).
    func requireSession(_ request: Request) async throws -> WebSession {
        guard let session = try await session(request) else {
            let back = request.method == .GET ? request.url.path + (request.url.query.map { "?" + $0 } ?? "") : nil
            throw Abort.redirect(to: WebRoute.signIn.with([("next", back)]))
        }
        return session
    }

    /// A form POST from a signed-in page: same origin and the session's CSRF token, else 403.
    func requireForm(_ request: Request) async throws -> WebSession {
        let session = try await requireSession(request)
        guard CSRFTokens.isSameOrigin(request),
            services.authenticator.csrf.isValid(
                try? request.content.get(String.self, at: CSRFTokens.formField), for: session.claims)
        else { throw PageError.forbidden }
        return session
    }

    /// The session's project named in the path; someone else's is "not found", like a missing one.
    func project(_ request: Request, _ session: WebSession) async throws -> Project {
        guard let id = request.idParameter(.projectID),
            let project = try await session.principal.project(id, for: .read, on: request.db)
        else { throw PageError.notFound }
        return project
    }
}
