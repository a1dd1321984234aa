// Pages of lists, and ids as lists and responses write them.
import FluentKit
import Foundation

/// Pages of lists: `page` is 1-based, `perPage` at most 100.
package struct Paging {
    package let page: Int
    package let perPage: Int

    package init(page: Int?, perPage: Int?) {
        self.page = max(1, page ?? 1)
        self.perPage = min(100, max(1, perPage ?? 20))
    }

    /// The rows of this page, or nil for a page so far out that its offset overflows `Int`
    /// (`?page=9223372036854775807`): it is past the end, so empty.
    package var rows: Range<Int>? {
        let (start, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        guard !overflow, start <= Int.max - perPage else { return nil }
        return start..<(start + perPage)
    }
}

extension QueryBuilder {
    package func page(_ request: Paging) async throws -> (items: [Model], total: Int) {
        let total = try await copy().count()
        guard let rows = request.rows else { return ([], total) }
        let items = try await range(rows).all()
        return (items, total)
    }
}

extension UUID {
    /// Ids in responses are lowercase, as most clients write them; requests accept either case.
    package var apiString: String { uuidString.lowercased() }
}
