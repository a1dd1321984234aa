// Cross-site request forgery defence for cookie sessions. A signed-in form carries a token
// derived from the session's token id (HMAC with a key derived from the signing secret),
// so nothing is stored and signing out invalidates it. Every state-changing request made
// with the cookie must also come from this site (Origin, else Referer, when present).
import Crypto
import Foundation
import MinnowCore
import Vapor

struct CSRFTokens: Sendable {
    static let formField = "csrf"
    static let header = "X-CSRF-Token"
    private let key: SymmetricKey

    init(secret: Data) {
        let derived = HMAC<SHA256>.authenticationCode(
            for: Data("minnow csrf v1".utf8), using: SymmetricKey(data: secret))
        key = SymmetricKey(data: Data(derived))
    }

    func token(for session: AccessTokenClaims) -> String {
        AccessTokens.base64URL(
            Data(HMAC<SHA256>.authenticationCode(for: Data(session.jti.uuidString.utf8), using: key)))
    }

    func isValid(_ submitted: String?, for session: AccessTokenClaims) -> Bool {
        guard let submitted else { return false }
        return ConstantTime.matches(submitted, token(for: session))
    }

    /// True when the request names no other site as its origin. Browsers send `Origin` on
    /// every cross-site POST; a mismatch with `Host` means another site made it.
    static func isSameOrigin(_ request: Request) -> Bool {
        guard let host = request.headers.first(name: .host)?.lowercased() else { return false }
        func matches(_ url: String) -> Bool {
            guard let components = URLComponents(string: url), let originHost = components.host?.lowercased() else {
                return false
            }
            let port = components.port.map { ":\($0)" } ?? ""
            return originHost + port == host
        }
        if let origin = request.headers.first(name: .origin) { return origin != "null" && matches(origin) }
        if let referer = request.headers.first(name: .referer) { return matches(referer) }
        return true
    }

    static func isSafeMethod(_ method: HTTPMethod) -> Bool {
        method == .GET || method == .HEAD || method == .OPTIONS
    }
}
