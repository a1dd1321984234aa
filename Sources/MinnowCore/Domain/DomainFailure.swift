// Expected ways a domain action can fail, shared by the JSON API and the web pages: the API
// turns them into its typed error responses, the pages into messages next to form fields.
import Foundation

package enum DomainFailure: Error, Equatable {
    /// The input breaks a rule; `field` names the form field it belongs to, when one does.
    case invalid(String, field: String? = nil)
    case conflict(String, field: String? = nil)
    case notFound(String)
    case unauthorized(String)
    case tooManyRequests(retryAfter: Int, String)

    package var message: String {
        switch self {
        case .invalid(let message, _), .conflict(let message, _), .unauthorized(let message),
            .tooManyRequests(_, let message):
            message
        case .notFound(let what): "\(what) not found."
        }
    }

    package var field: String? {
        switch self {
        case .invalid(_, let field), .conflict(_, let field): field
        default: nil
        }
    }
}
