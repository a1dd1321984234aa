// Failures on pages render as HTML pages (never JSON, never details); redirects thrown as
// `Abort.redirect` pass through.
import MinnowCore
import Vapor

enum PageError: Error {
    case notFound
    /// A form without a valid CSRF token, or from another site.
    case forbidden
}

struct PageErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let abort as any AbortError where abort.status.code >= 300 && abort.status.code < 400 {
            let response = Response(status: abort.status, headers: abort.headers)
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        } catch PageError.notFound {
            return Page.response(
                Views.message(title: "Not found", text: "There is nothing here, or it is not yours."), status: .notFound
            )
        } catch PageError.forbidden {
            return Page.response(
                Views.message(
                    title: "Form expired",
                    text: "The form was sent from another page or has expired. Go back, reload the page and try again."),
                status: .forbidden)
        } catch let abort as any AbortError where abort.status.code < 500 {
            return Page.response(
                Views.message(title: "Something is wrong with the request", text: abort.reason), status: abort.status)
        } catch {
            request.logger.error(
                "page failed",
                metadata: ["path": .string(request.url.path), "error": .string(String(describing: type(of: error)))])
            return Page.response(
                Views.message(
                    title: "Something went wrong",
                    text: "The server could not show this page; it has been logged. Try again."),
                status: .internalServerError)
        }
    }
}

enum Page {
    static func response(_ html: HTML, status: HTTPResponseStatus = .ok, headers extra: HTTPHeaders = [:]) -> Response {
        var headers = extra
        headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string: html.rendered))
    }

    /// After a successful form: back to a page (303, so reloading does not resend the form).
    static func redirect(_ location: String) -> Response {
        let response = Response(status: .seeOther)
        response.headers.replaceOrAdd(name: .location, value: location)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
