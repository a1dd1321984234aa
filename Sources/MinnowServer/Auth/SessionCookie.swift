// The browser's session: an HttpOnly, SameSite=Lax cookie holding a server-issued access
// token (the same JWT the API hands out), so expiry, sign-out revocation and password
// changes apply to pages exactly as to API clients. Signed-out forms get a random
// `minnow_csrf` cookie instead, checked against the form's hidden field (double submit).
import Foundation
import MinnowCore
import Vapor

enum SessionCookie {
    static let name = "minnow_session"
    static let signedOutCSRFName = "minnow_csrf"

    static func make(token: String, expiresAt: Date, request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: token, expires: expiresAt, maxAge: max(0, Int(expiresAt.timeIntervalSinceNow)),
            path: "/", isSecure: isHTTPS(request), isHTTPOnly: true, sameSite: .lax
        )
    }

    static func cleared(request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
            isSecure: isHTTPS(request), isHTTPOnly: true, sameSite: .lax)
    }

    static func signedOutCSRF(_ value: String, request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, maxAge: 3600 * 12, path: "/", isSecure: isHTTPS(request), isHTTPOnly: true, sameSite: .strict
        )
    }

    /// Served over TLS by this server (`--tls-cert`), or behind a TLS-terminating proxy: the cookie is marked Secure.
    static func isHTTPS(_ request: Request) -> Bool {
        request.storage[ServedOverTLSKey.self] == true || request.url.scheme == "https"
            || request.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }
}
