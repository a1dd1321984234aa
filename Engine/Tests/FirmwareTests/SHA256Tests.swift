// The engine's own SHA-256 against the FIPS 180-4 example vectors and against the system's
// `sha256sum` on lengths around the padding boundaries (55, 56, 63, 64, 65 bytes, ...).

import Firmware
import Foundation
import Testing

@Suite("SHA-256") struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func agreesWithSha256sum() throws {
        // setup
        let lengths = [1, 55, 56, 57, 63, 64, 65, 119, 120, 1000, 4097]
        var state: UInt32 = 7
        let inputs = lengths.map { n in
            (0..<n).map { _ -> UInt8 in
                state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 24)
            }
        }
        for bytes in inputs {
            // act
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-sha-\(UUID().uuidString)")
            try Data(bytes).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            let output = try GeneratedCTests.shell("sha256sum", [url.path])
            // check
            #expect(SHA256.hex(bytes) == String(output.prefix(64)), "length \(bytes.count)")
        }
    }
}
