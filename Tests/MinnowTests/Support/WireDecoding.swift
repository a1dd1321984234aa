// Answers read as the contract's types: a test that decodes into `Components.Schemas.X` also
// checks that the whole answer has that shape (required fields, enum values, dates), not only
// the keys it then reads.
import APITypes
import Foundation

enum Wire {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            try RFC3339Dates().decode(try decoder.singleValueContainer().decode(String.self))
        }
        return try decoder.decode(type, from: data)
    }
}

extension TestResponse {
    /// The body as the contract's `type`; throws (with the decoding path) when it is not one.
    func decoded<T: Decodable>(as type: T.Type) throws -> T { try Wire.decode(type, from: body) }
}
