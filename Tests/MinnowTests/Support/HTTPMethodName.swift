import NIOHTTP1

/// HTTP methods as plain values, for tables of requests in tests.
enum HTTPMethodName {
    case GET, POST, PUT, PATCH, DELETE

    var nio: HTTPMethod {
        switch self {
        case .GET: .GET
        case .POST: .POST
        case .PUT: .PUT
        case .PATCH: .PATCH
        case .DELETE: .DELETE
        }
    }
}
