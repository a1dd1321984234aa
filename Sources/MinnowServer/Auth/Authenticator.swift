// Turns a request into a `Principal`: `Authorization: Bearer ...` with an access token
// (signature, expiry, not signed out, issued since the last password change) or an API key
// (known hash, not expired); without that header, the browser's session cookie, which holds
// an access token checked the same way. A cookie alone never changes anything: state-changing
// requests made with it need the session's CSRF token and must come from this site.
// Every failure is the same 401 so nothing is learned by probing.
import Fluent
import Foundation
import MinnowCore
import Vapor

struct Authenticator: Sendable {
    let tokens: AccessTokens
    let csrf: CSRFTokens

    func authenticate(_ request: Request) async throws -> Principal {
        try await authenticate(Credentials(request), on: request.db)
    }

    func authenticate(_ credentials: Credentials, on db: any Database) async throws -> Principal {
        guard let bearer = credentials.bearer else {
            return try await authenticateCookie(credentials, on: db)
        }
        if bearer.hasPrefix(APIKeySecrets.marker) {
            return try await authenticateKey(bearer, on: db)
        }
        switch try await check(personToken: bearer, on: db) {
        case .valid(_, let claims): return .person(userID: claims.sub, token: claims)
        case .invalid: throw APIError.unauthorized("The access token is invalid or expired; sign in again.")
        case .revoked: throw APIError.unauthorized("The access token was revoked; sign in again.")
        }
    }

    /// The signed-in person behind the session cookie, or nil (no cookie, expired, revoked).
    /// Pages call this; they check their forms' CSRF tokens themselves.
    func session(_ request: Request) async throws -> (user: User, claims: AccessTokenClaims)? {
        try await session(token: request.cookies[SessionCookie.name]?.string, on: request.db)
    }

    private func session(token: String?, on db: any Database) async throws -> (user: User, claims: AccessTokenClaims)? {
        guard let token, !token.isEmpty,
            case .valid(let user, let claims) = try await check(personToken: token, on: db)
        else { return nil }
        return (user, claims)
    }

    private func authenticateCookie(_ credentials: Credentials, on db: any Database) async throws -> Principal {
        guard let session = try await session(token: credentials.sessionCookie, on: db) else {
            throw APIError.unauthorized()
        }
        let (user, claims) = session
        if !credentials.isSafeMethod {
            guard credentials.isSameOrigin, csrf.isValid(credentials.csrfToken, for: claims) else {
                throw APIError.forbidden(
                    "Requests made with the session cookie need the page's \(CSRFTokens.header) header.")
            }
        }
        return .person(userID: try user.requireID(), token: claims)
    }

    private enum TokenCheck {
        case valid(User, AccessTokenClaims), invalid, revoked
    }

    private func check(personToken token: String, on db: any Database) async throws -> TokenCheck {
        guard let claims = tokens.verify(token) else { return .invalid }
        async let revoked = RevokedToken.find(claims.jti, on: db)
        async let user = User.find(claims.sub, on: db)
        guard try await revoked == nil, let user = try await user, user.tokenGeneration == claims.gen else {
            return .revoked
        }
        return .valid(user, claims)
    }

    private func authenticateKey(_ key: String, on db: any Database) async throws -> Principal {
        guard let apiKey = try await APIKey.query(on: db).filter(\.$secretHash == APIKeySecrets.hash(key)).first(),
            apiKey.expiresAt.map({ $0 > Date() }) ?? true
        else {
            throw APIError.unauthorized("The API key is invalid, revoked or expired.")
        }
        let now = Date()
        if apiKey.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            apiKey.lastUsedAt = now  // at most once a minute, to keep reads cheap
            try await apiKey.save(on: db)
        }
        return .apiKey(
            userID: apiKey.$owner.id,
            key: KeyGrant(
                keyID: try apiKey.requireID(), projectID: apiKey.$project.id, permissions: apiKey.permissions,
                deviceID: apiKey.$device.id, framesPerMinute: apiKey.framesPerMinute,
                dailyFrameQuota: apiKey.dailyFrameQuota))
    }
}

/// What a request presents to prove who sent it, read once from its headers and cookies, so
/// that authentication needs no Vapor request (the API handlers' unit tests make these).
struct Credentials: Sendable {
    /// `Authorization: Bearer …`: an access token or an API key.
    var bearer: String?
    /// The browser's session cookie, used only without a bearer.
    var sessionCookie: String?
    var csrfToken: String?
    /// GET, HEAD or OPTIONS: the session cookie alone may read.
    var isSafeMethod = true
    var isSameOrigin = false

    init(
        bearer: String? = nil, sessionCookie: String? = nil, csrfToken: String? = nil, isSafeMethod: Bool = true,
        isSameOrigin: Bool = false
    ) {
        self.bearer = bearer
        self.sessionCookie = sessionCookie
        self.csrfToken = csrfToken
        self.isSafeMethod = isSafeMethod
        self.isSameOrigin = isSameOrigin
    }

    /// The cookie and CSRF fields are read only without a bearer, as only then are they used.
    init(_ request: Request) {
        if let bearer = request.headers.bearerAuthorization?.token {
            self.init(bearer: bearer)
            return
        }
        self.init(
            sessionCookie: request.cookies[SessionCookie.name]?.string,
            csrfToken: request.headers.first(name: CSRFTokens.header),
            isSafeMethod: CSRFTokens.isSafeMethod(request.method), isSameOrigin: CSRFTokens.isSameOrigin(request)
        )
    }
}
