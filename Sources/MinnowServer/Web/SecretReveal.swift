// A new secret (an API key, a prediction key) is shown once, on the page its form redirects to
// (post/redirect/get): reloading that page neither sends the form again (creating or rotating
// another key) nor shows the secret a second time. The form's POST seals the secret into a
// two-minute cookie (AES-GCM under a key derived from the signing secret, bound to the
// session, so any server of the site can open it); the page that follows opens it, shows the
// secret and clears the cookie.
import Crypto
import Foundation
import MinnowCore
import Vapor

struct SecretReveal: Sendable {
    static let cookieName = "minnow_reveal"
    static let lifetimeSeconds = 120

    /// The secret and what it belongs to (an API key's id, a deployment's name).
    struct Secret: Codable, Equatable {
        var subject: String
        var value: String
    }

    private struct Sealed: Codable {
        var session: UUID
        var page: String
        var secret: Secret
        var expires: Date
    }

    private let key: SymmetricKey

    init(secret: Data) {
        let derived = HMAC<SHA256>.authenticationCode(
            for: Data("minnow reveal v1".utf8), using: SymmetricKey(data: secret))
        key = SymmetricKey(data: Data(derived))
    }

    /// A 303 to `route` that carries `secret` to the page there and nowhere else.
    func redirect(
        to route: WebRoute, revealing secret: Secret, session: WebSession, request: Request
    ) throws -> Response {
        let location = route.path
        let sealed = Sealed(
            session: session.claims.jti, page: location, secret: secret,
            expires: Date().addingTimeInterval(Double(Self.lifetimeSeconds)))
        guard let box = try AES.GCM.seal(JSONEncoder().encode(sealed), using: key).combined else {
            throw Abort(.internalServerError)
        }
        let response = Page.redirect(location)
        response.cookies[Self.cookieName] = cookie(
            AccessTokens.base64URL(box), maxAge: Self.lifetimeSeconds, request: request)
        return response
    }

    /// The secret the redirect carried to this page, if any; `shown(on:)` clears it.
    func take(_ request: Request, session: WebSession) -> Secret? {
        guard let text = request.cookies[Self.cookieName]?.string,
            let data = AccessTokens.decodeBase64URL(Substring(text)),
            let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key),
            let sealed = try? JSONDecoder().decode(Sealed.self, from: plain),
            sealed.session == session.claims.jti, sealed.page == request.url.path, sealed.expires > Date()
        else { return nil }
        return sealed.secret
    }

    /// Clears the cookie on the page that showed the secret.
    func shown(on response: Response, request: Request) {
        response.cookies[Self.cookieName] = cookie("", maxAge: 0, request: request)
    }

    private func cookie(_ value: String, maxAge: Int, request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, maxAge: maxAge, path: "/", isSecure: SessionCookie.isHTTPS(request), isHTTPOnly: true,
            sameSite: .strict)
    }
}
