// Test helpers: a directory of fake executables standing in for flashing tools (each a shell
// script that records its argv and then prints, exits with a code, or sleeps past a timeout),
// and a minimal hand-made ELF32 image with chosen PT_LOAD segments.
import Foundation

final class FakeToolbox {
    let dir: String

    enum Behavior {
        case exit(Int32, output: String = "")
        case sleep(seconds: Int)
        /// Like objcopy: copies the second-to-last argument to the last one.
        case copyInputToOutput
    }

    init() throws {
        dir = NSTemporaryDirectory() + "minnow-fakebin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// PATH holding only the fake tools (plus /bin for `sh`, `cat`, `sleep` the scripts use).
    var searchPath: String { dir }

    func install(_ name: String, _ behavior: Behavior) throws {
        let record = "\(dir)/\(name).argv"
        var script =
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '\(record)'; done\necho '--- end' >> '\(record)'\n"
        switch behavior {
        case .exit(let code, let output):
            if !output.isEmpty {
                script += "/bin/cat <<'MINNOW_EOF'\n\(output)\nMINNOW_EOF\n"
            }
            script += "exit \(code)\n"
        case .sleep(let s):
            script += "echo 'working...'\n/bin/sleep \(s) &\nwait\n"
        case .copyInputToOutput:
            script +=
                "for last; do :; done\nprev=''\nfor a in \"$@\"; do if [ \"$a\" = \"$last\" ]; then break; fi; prev=\"$a\"; done\n/bin/cp \"$prev\" \"$last\"\n"
        }
        let path = "\(dir)/\(name)"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// The argv of every call of `name`, in order.
    func calls(_ name: String) -> [[String]] {
        guard let text = try? String(contentsOfFile: "\(dir)/\(name).argv", encoding: .utf8) else { return [] }
        var calls: [[String]] = [], current: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line == "--- end" { calls.append(current); current = [] } else { current.append(String(line)) }
        }
        return calls
    }
}

enum TestELF {
    /// Writes a little-endian ELF32 ARM executable with one PT_LOAD per segment.
    static func write(_ segments: [(address: UInt32, bytes: [UInt8])], to path: String) throws {
        var b = [UInt8](repeating: 0, count: 52)
        func put16(_ v: Int, _ o: Int) { b[o] = UInt8(v & 0xff); b[o + 1] = UInt8(v >> 8 & 0xff) }
        func put32(_ v: UInt32, _ o: Int) { for i in 0..<4 { b[o + i] = UInt8(v >> (8 * UInt32(i)) & 0xff) } }
        b[0] = 0x7f; b[1] = 0x45; b[2] = 0x4c; b[3] = 0x46; b[4] = 1; b[5] = 1; b[6] = 1
        put16(2, 16); put16(40, 18); put32(1, 20)
        put32(segments.first?.address ?? 0, 24)
        put32(52, 28)  // phoff
        put16(52, 40); put16(32, 42); put16(segments.count, 44)
        var dataOffset = 52 + 32 * segments.count
        var data = [UInt8]()
        for s in segments {
            var ph = [UInt8](repeating: 0, count: 32)
            func p32(_ v: UInt32, _ o: Int) { for i in 0..<4 { ph[o + i] = UInt8(v >> (8 * UInt32(i)) & 0xff) } }
            p32(1, 0); p32(UInt32(dataOffset), 4); p32(s.address, 8); p32(s.address, 12)
            p32(UInt32(s.bytes.count), 16); p32(UInt32(s.bytes.count), 20); p32(5, 24); p32(4, 28)
            b += ph
            data += s.bytes
            dataOffset += s.bytes.count
        }
        b += data
        try Data(b).write(to: URL(fileURLWithPath: path))
    }

    static func temporary(
        _ segments: [(address: UInt32, bytes: [UInt8])] = [(0, Array(repeating: 0xaa, count: 40))]
    ) throws -> String {
        let path = NSTemporaryDirectory() + "minnow-test-\(UUID().uuidString).elf"
        try write(segments, to: path)
        return path
    }
}
