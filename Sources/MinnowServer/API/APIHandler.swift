// The server side of the contract: one method per operation in openapi.yaml, split by
// resource into `APIHandler+<Resource>.swift`. Methods return the typed responses the
// contract declares; they throw only for authentication failures (`APIError`) and for
// infrastructure failures.
import APITypes
import Fluent
import Foundation
import Vapor

struct APIHandler: APIProtocol {
    let services: MinnowServices

    /// The current request and who sent it (401 when nobody valid did).
    func authenticated() async throws -> (request: Request, principal: Principal) {
        let request = try CurrentRequest.get()
        return (request, try await services.authenticator.authenticate(request))
    }
}

/// Pages of lists: `page` is 1-based, `perPage` at most 100.
struct PageRequest {
    let page: Int
    let perPage: Int

    init(page: Int?, perPage: Int?) {
        self.page = max(1, page ?? 1)
        self.perPage = min(100, max(1, perPage ?? 20))
    }

    func metadata(total: Int) -> Components.Schemas.PageMetadata {
        .init(page: page, perPage: perPage, total: total)
    }

    /// The rows of this page, or nil for a page so far out that its offset overflows `Int`
    /// (`?page=9223372036854775807`): it is past the end, so empty.
    var rows: Range<Int>? {
        let (start, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        guard !overflow, start <= Int.max - perPage else { return nil }
        return start..<(start + perPage)
    }
}

extension QueryBuilder {
    func page(_ request: PageRequest) async throws -> (items: [Model], total: Int) {
        let total = try await copy().count()
        guard let rows = request.rows else { return ([], total) }
        let items = try await range(rows).all()
        return (items, total)
    }
}

extension UUID {
    /// Ids in responses are lowercase, as most clients write them; requests accept either case.
    var apiString: String { uuidString.lowercased() }
}
