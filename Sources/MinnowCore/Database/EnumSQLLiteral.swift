// Raw SQL that compares a column with one of the stored enums' values names the case, not a
// copy of its string: the value is written as a string literal of the dialect.
import SQLKit

extension RawRepresentable where RawValue == String {
    /// The raw value as an SQL string literal, e.g. `'running'`.
    package var sqlLiteral: SQLQueryString { "\(literal: rawValue)" }
}
