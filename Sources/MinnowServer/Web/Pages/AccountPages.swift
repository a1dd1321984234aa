// Sign up, sign in, sign out, change password, delete account. Signing in sets the session
// cookie (an access token); signing out and deleting the account revoke it.
import MinnowCore
import Vapor

extension WebRoutes {
    func registerAccountPages(on routes: any RoutesBuilder) {
        routes.get(.signUp) { request in try await signedOutForm(request, signUp: true) }
        routes.get(.signIn) { request in try await signedOutForm(request, signUp: false) }
        routes.post(.signUp) { request in try await signUp(request) }
        routes.post(.signIn) { request in try await signIn(request) }
        routes.post(.signOut) { request in try await signOut(request) }
        routes.get(.account) { request in
            let session = try await requireSession(request)
            return Page.response(Views.account(session: session, errors: .none, notice: notice(request)))
        }
        routes.post(.changePassword) { request in try await changePassword(request) }
        routes.post(.deleteAccount) { request in try await deleteAccount(request) }
    }

    private struct Credentials: Content {
        var username: String?
        var password: String?
        var next: String?
    }

    private func signedOutForm(
        _ request: Request, signUp: Bool, username: String = "", errors: FormErrors = .none,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        if errors.fields.isEmpty, errors.general == nil, try await session(request) != nil {
            return Page.redirect(WebRoute.projects.path)
        }
        let token = request.cookies[SessionCookie.signedOutCSRFName]?.string ?? APIKeySecrets.generate()
        let next = safeNext(
            request.query[String.self, at: "next"] ?? (try? request.content.get(String.self, at: "next")))
        let response = Page.response(
            Views.signedOutForm(
                signUp: signUp, username: username, csrf: token, next: next, errors: errors, notice: notice(request)),
            status: status)
        response.cookies[SessionCookie.signedOutCSRFName] = SessionCookie.signedOutCSRF(token, request: request)
        return response
    }

    /// Signed-out forms: same origin, and the form's token matches the one in the cookie.
    private func checkSignedOutForm(_ request: Request) throws {
        let submitted = try? request.content.get(String.self, at: CSRFTokens.formField)
        guard CSRFTokens.isSameOrigin(request), let cookie = request.cookies[SessionCookie.signedOutCSRFName]?.string,
            let submitted, ConstantTime.matches(submitted, cookie)
        else { throw PageError.forbidden }
    }

    private func signUp(_ request: Request) async throws -> Response {
        try checkSignedOutForm(request)
        let form = try request.content.decode(Credentials.self)
        let accounts = Accounts(request: request, services: services)
        switch try await accounts.register(username: form.username ?? "", password: form.password ?? "") {
        case .success(let user):
            return try startSession(for: user, accounts, request, next: WebRoute.projects.notice("welcome"))
        case .failure(let failure):
            return try await signedOutForm(
                request, signUp: true, username: form.username ?? "", errors: FormErrors(failure),
                status: .unprocessableEntity)
        }
    }

    private func signIn(_ request: Request) async throws -> Response {
        try checkSignedOutForm(request)
        let form = try request.content.decode(Credentials.self)
        let accounts = Accounts(request: request, services: services)
        switch try await accounts.signIn(username: form.username ?? "", password: form.password ?? "") {
        case .success(let user):
            return try startSession(for: user, accounts, request, next: safeNext(form.next) ?? WebRoute.projects.path)
        case .failure(let failure):
            let status: HTTPResponseStatus =
                if case .tooManyRequests = failure { .tooManyRequests } else { .unauthorized }
            return try await signedOutForm(
                request, signUp: false, username: form.username ?? "", errors: FormErrors(general: failure.message),
                status: status)
        }
    }

    private func startSession(for user: User, _ accounts: Accounts, _ request: Request, next: String) throws -> Response
    {
        let (token, claims) = try accounts.issueToken(for: user)
        let response = Page.redirect(next)
        response.cookies[SessionCookie.name] = SessionCookie.make(
            token: token, expiresAt: claims.expiresAt, request: request)
        return response
    }

    private func signOut(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        try await Accounts(request: request, services: services).signOut(session.claims)
        let response = Page.redirect(WebRoute.signIn.notice("signed-out"))
        response.cookies[SessionCookie.name] = SessionCookie.cleared(request: request)
        return response
    }

    private struct PasswordForm: Content {
        var currentPassword: String?
        var newPassword: String?
    }

    private func changePassword(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let form = try request.content.decode(PasswordForm.self)
        let accounts = Accounts(request: request, services: services)
        switch try await accounts.changePassword(
            userID: session.userID, current: form.currentPassword ?? "", new: form.newPassword ?? "")
        {
        case .success(let user):
            return try startSession(for: user, accounts, request, next: WebRoute.account.notice("password-changed"))
        case .failure(let failure):
            return Page.response(
                Views.account(session: session, errors: FormErrors(failure), notice: nil), status: .unprocessableEntity)
        }
    }

    private struct DeleteAccountForm: Content {
        var confirmUsername: String?
    }

    private func deleteAccount(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let form = try request.content.decode(DeleteAccountForm.self)
        guard form.confirmUsername?.lowercased() == session.user.username else {
            let errors = FormErrors(fields: [
                "confirmUsername": "Type your username, \(session.user.username), to confirm."
            ])
            return Page.response(
                Views.account(session: session, errors: errors, notice: nil), status: .unprocessableEntity)
        }
        try await Accounts(request: request, services: services).deleteAccount(
            userID: session.userID, token: session.claims)
        let response = Page.redirect(WebRoute.signIn.notice("account-deleted"))
        response.cookies[SessionCookie.name] = SessionCookie.cleared(request: request)
        return response
    }

    /// Only paths on this site (no "//host" or scheme), so sign-in cannot redirect elsewhere.
    func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return nil }
        return next
    }

    /// The fixed message a redirect asked for (`?notice=key`), never text from the URL.
    func notice(_ request: Request) -> String? {
        let count = request.query[Int.self, at: "n"] ?? 0
        switch request.query[String.self, at: "notice"] {
        case "welcome": return "Welcome! Create your first project."
        case "signed-out": return "You are signed out."
        case "account-deleted": return "Your account and everything in it were deleted."
        case "password-changed": return "Password changed. Other sessions and tokens are signed out."
        case "key-revoked": return "The API key was revoked."
        case "project-created": return "Project created. Add images to it."
        case "project-saved": return "Project saved."
        case "project-deleted": return "The project and its data were deleted."
        case "relabelled": return "Relabelled \(count) images."
        case "unlabelled": return "Removed the label from \(count) images."
        case "moved": return "Moved \(count) images."
        case "deleted": return "Deleted \(count) images."
        case "label-renamed": return "Label renamed (\(count) images and boxes changed)."
        case "label-deleted": return "Label deleted (\(count) images and boxes changed)."
        case "image-saved": return "Image saved."
        case "training-queued": return "Training queued: this page follows it live."
        case "training-canceled": return "Training canceled."
        case "iteration-deleted": return "The iteration was deleted."
        case "repointed": return "The deployment now serves the other iteration; its endpoint and key are unchanged."
        case "unpublished": return "Unpublished: the endpoint no longer answers."
        case "device-registered": return "Device registered. Plug it into a computer running `minnow bridge`."
        case "device-deleted": return "The device, its install history and observations were deleted."
        case "camera-saved": return "Camera saved."
        case "frames-added": return "Added \(count) frames to the dataset."
        case "no-frames-chosen": return "Choose frames (their checkboxes) first."
        case "install-queued":
            return "Install queued: a worker builds the firmware, then the bridge flashes and verifies it."
        default: return nil
        }
    }
}
