// The databases the persistence tests run against: SQLite always, PostgreSQL when the
// test command started one (MINNOW_TEST_POSTGRES_URL). In CI a missing PostgreSQL is a
// failure, not a silent skip.
import Foundation

enum TestDatabase: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static var all: [TestDatabase] {
        let environment = ProcessInfo.processInfo.environment
        if environment["MINNOW_TEST_POSTGRES_URL"] != nil || environment["CI"] != nil { return [.sqlite, .postgres] }
        return [.sqlite]
    }

    var testDescription: String { rawValue }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["MINNOW_TEST_POSTGRES_URL"] }
}

import Testing
