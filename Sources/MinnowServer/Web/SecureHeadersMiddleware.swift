// Security headers on every response. Pages run only this site's own scripts and styles
// (no inline script, no external origins), cannot be framed, and do not leak URLs to
// other sites; responses are never sniffed into another media type. When the port serves
// HTTPS, every response also carries HSTS and the request is marked so its cookies are Secure.
import MinnowCore
import Vapor

struct SecureHeadersMiddleware: Middleware {
    /// True when the server terminates TLS itself (`--tls-cert`/`--tls-key`).
    var servesTLS = false

    static let strictTransportSecurity = "max-age=31536000"

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard servesTLS else { return next.respond(to: request).map(Self.secure) }
        request.storage[ServedOverTLSKey.self] = true
        return next.respond(to: request).map { response in
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: Self.strictTransportSecurity)
            return Self.secure(response)
        }
    }

    private static func secure(_ response: Response) -> Response {
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        return response
    }
}
