// The reader refuses what it cannot run with a message a person can act on: operators
// outside the runtime's set by name, other schema versions, truncated or foreign files.

import Foundation
@testable import TFLite
import Testing

@Suite struct ReaderErrorTests {
    /// A minimal valid model whose only operator has builtin `code`.
    static func model(operatorCode code: Int32, version: UInt32 = 3) -> [UInt8] {
        let tensor: FlatBufferValue = .table([
            .offset(.int32s([1, 4])), .uint8(9), .uint32(0), .offset(.string("t")), nil,
        ])
        let op: FlatBufferValue = .table([.uint32(0), .offset(.int32s([0, 0])), .offset(.int32s([1])), nil, nil])
        let subgraph: FlatBufferValue = .table([
            .offset(.tables([tensor, tensor])), .offset(.int32s([0])), .offset(.int32s([1])),
            .offset(.tables([op])), nil,
        ])
        let root: FlatBufferValue = .table([
            .uint32(version),
            .offset(.tables([.table([.uint8(UInt8(min(code, 127))), nil, .int32(1), .int32(code)])])),
            .offset(.tables([subgraph])), nil, .offset(.tables([.table([nil])])),
        ])
        return FlatBufferBuilder.serialize(root: root, identifier: "TFL3")
    }

    @Test func refusesUnsupportedOperatorsByName() {
        // ADD (0) and a code only in the new field (STABLEHLO_COMPOSITE, 206)
        for (code, name) in [(Int32(0), "ADD"), (206, "STABLEHLO_COMPOSITE"), (18, "MUL")] {
            #expect { try TFLiteReader.read(Self.model(operatorCode: code)) } throws: { error in
                "\(error)".contains("unsupported operator \(name)")
            }
        }
    }

    @Test func readsASupportedOperatorFromTheSameBuilder() throws {
        let model = try TFLiteReader.read(Self.model(operatorCode: 22))  // RESHAPE
        #expect(model.nodes.map(\.op.name) == ["RESHAPE"])
    }

    @Test func refusesOtherSchemaVersions() {
        #expect { try TFLiteReader.read(Self.model(operatorCode: 22, version: 2)) } throws: { error in
            "\(error)".contains("schema version 2") && "\(error)".contains("re-export")
        }
    }

    @Test func refusesTruncatedAndForeignFiles() throws {
        let good = Self.model(operatorCode: 22)
        #expect { try TFLiteReader.read(Array(good.prefix(good.count / 2))) } throws: {
            "\($0)".contains("truncated or corrupt")
        }
        #expect { try TFLiteReader.read(Array("PK\u{3}\u{4} not a model".utf8)) } throws: { "\($0)".contains("TFL3") }
    }
}
