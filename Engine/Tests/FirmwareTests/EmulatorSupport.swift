// Test support for the emulated-board tests: a small model trained in a second on synthetic
// stripes, the rule for when qemu/arm-none-eabi-gcc are required (always in CI, skipped with
// the reason elsewhere), and QEMUSession, an emulated board whose UART0 is this process's pipe.
// Not the bridge's board connection (no pty, no gdb flashing): a `-kernel` boot is enough here.

import Firmware
import Foundation
import Int8Inference
import NeuralNet

enum EmulatorSupport {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    /// Why the emulated-board tests cannot run here, or nil when they can.
    static let missing: String? = {
        if !BoardBuild.compilerAvailable("qemu-system-arm") {
            return "qemu-system-arm not installed (scripts/install-deps.sh)"
        }
        return FirmwareBuilder.missingToolchain()
    }()
    /// Run when everything is installed, and always in CI (where a missing tool must fail).
    static let shouldRun = isCI || missing == nil

    /// 16×16 grayscale stripes in four classes (horizontal, vertical, diagonal, checks) with noise.
    static func stripes(count: Int, seed: UInt64) -> LabeledImages {
        var rng = SeededRandom(seed: seed)
        var pixels: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 4, period = 2 + i % 3
            for y in 0..<16 {
                for x in 0..<16 {
                    let on: Bool
                    switch label {
                    case 0: on = (y / period) % 2 == 0
                    case 1: on = (x / period) % 2 == 0
                    case 2: on = ((x + y) / period) % 2 == 0
                    default: on = (x / period + y / period) % 2 == 0
                    }
                    pixels.append(min(1, max(0, (on ? 0.8 : 0.2) + rng.uniform(-0.15, 0.15))))
                }
            }
            labels.append(label)
        }
        return LabeledImages(images: Tensor(shape: [count, 16, 16, 1], data: pixels), labels: labels)
    }

    /// A tiny CNN trained for two epochs on stripes, quantised (default options), and test inputs.
    static let trained: (model: Int8Model, inputs: [[Int8]]) = {
        let train = stripes(count: 240, seed: 1), test = stripes(count: 12, seed: 2)
        let model = Model(
            architecture: ModelZoo.tinyCNN(height: 16, width: 16, channels: 1, classes: 4, filters: (4, 8)), seed: 3,
            labels: ["horizontal", "vertical", "diagonal", "checks"])
        _ = Trainer(model: model, configuration: TrainingConfiguration(epochs: 2, batchSize: 32, seed: 1)).fit(
            train: train)
        let int8 = try! PostTrainingQuantizer.quantize(model, calibration: train.images)
        let inputs = (0..<test.count).map { int8.quantizeInput(Array(test.images.data[($0 * 256)..<(($0 + 1) * 256)])) }
        return (int8, inputs)
    }()
}

struct EmulatorFailure: Error, CustomStringConvertible { var description: String }

/// An emulated board booted from `elf` with `-kernel`; UART0 is connected to pipes.
final class QEMUSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private let condition = NSCondition()
    private var buffer = [UInt8]()
    private let directory: URL

    init(elf: [UInt8], machine: EmulatedMachine) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-board-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("firmware.elf")
        try Data(elf).write(to: path)
        // for debugging: keep the last image per machine
        if ProcessInfo.processInfo.environment["MINNOW_KEEP_FIRMWARE"] != nil {
            try? Data(elf).write(to: URL(fileURLWithPath: "/tmp/minnow-\(machine.machine).elf"))
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["qemu-system-arm"] + Emulator.arguments(machine: machine) + ["-serial", "stdio", "-kernel", path.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let fd = output.fileHandleForReading.fileDescriptor
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
                if n <= 0 { break }
                condition.lock()
                buffer += chunk[0..<n]
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.start()
    }

    deinit { stop() }

    func stop() {
        // Process.waitUntilExit can hang in a test's thread: kill and poll instead.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<250 where process.isRunning { usleep(20_000) }
        try? FileManager.default.removeItem(at: directory)
    }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// The next line the board prints, or nil after `timeout` seconds.
    func nextLine(timeout: TimeInterval = 10) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            if !condition.wait(until: deadline) { return nil }
        }
    }

    /// The next line parsed as a JSON object.
    func nextObject(timeout: TimeInterval = 10) throws -> [String: Any] {
        guard let line = nextLine(timeout: timeout) else {
            throw EmulatorFailure(description: "the board printed nothing within \(timeout) s")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw EmulatorFailure(description: "not a JSON object: \(line)")
        }
        return object
    }
}
