// Row counts straight from the database, to check that deletes really cascade.
import Fluent
import SQLKit
import Testing

extension TestServer {
    func count(_ table: String) async throws -> Int {
        let sql = try #require(app.db as? any SQLDatabase)
        let row = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}
