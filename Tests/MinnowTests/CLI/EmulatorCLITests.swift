import Foundation
import MinnowBridge
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `minnow emulator`: the real binary starts an emulated board (qemu + socat), writes its sysfs
/// tree, prints a gdb address that answers, and on SIGINT stops qemu and exits 0.
@Suite("minnow emulator")
struct EmulatorCLITests {
    static let haveTools = ["/usr/bin/qemu-system-arm", "/usr/bin/socat"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: haveTools, "needs qemu-system-arm and socat (apt-get install qemu-system-arm socat)"))
    func startsABoardAndStopsItOnSIGINT() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-emu-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let emulator = try BackgroundMinnow(["emulator", "--dir", dir, "--serial", "EMU-cli00001"])

        // The sysfs tree: /dev/ttyACM0 points at the board's pty, the serial number is there.
        let device = dir + "/sysfs/dev/ttyACM0"
        let deadline = Date().addingTimeInterval(20)
        while !emulator.log.contains("Ctrl-C"), Date() < deadline, emulator.process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        let output = emulator.log
        #expect(output.contains("EMU-cli00001"), "\(output)")
        #expect(output.contains("--profile mps2-an386 --usb-serial EMU-cli00001"), "\(output)")
        #expect(output.contains("--sysfs-root \(dir)/sysfs"), "\(output)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: device) == dir + "/ttyACM0")
        #expect(FileManager.default.fileExists(atPath: dir + "/ttyACM0"), "the pty exists")
        let usb = try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/sysfs/sys/class/tty/ttyACM0")
        let usbDevice = URL(fileURLWithPath: dir + "/sysfs/sys/class/tty/" + usb).standardizedFileURL
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(try String(contentsOf: usbDevice.appendingPathComponent("serial"), encoding: .utf8) == "EMU-cli00001\n")
        #expect(try String(contentsOf: usbDevice.appendingPathComponent("idVendor"), encoding: .utf8) == "0d28\n")

        // The printed gdb server accepts a connection, and it is this board's qemu.
        let line = try #require(output.split(separator: "\n").first { $0.contains("gdb server") }, "\(output)")
        let address = try #require(line.split(separator: " ").last.map(String.init))
        let port = try #require(Int(address.split(separator: ":").last ?? ""))
        #expect(address == "127.0.0.1:\(port)")
        #expect(LoopbackPort.isListening(port), "gdb server \(address) accepts a connection")
        let qemu = Self.processes(containing: "tcp:127.0.0.1:\(port)")
        #expect(qemu.count == 1, "one qemu for this board")

        emulator.signal(SIGINT)
        let status = await emulator.waitForExit(timeout: 15)
        #expect(status == 0, "\(emulator.log)")
        #expect(Self.processes(containing: "tcp:127.0.0.1:\(port)").isEmpty, "qemu is gone")
        #expect(!FileManager.default.fileExists(atPath: dir + "/ttyACM0"), "the pty is gone")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sysfs"), "the sysfs tree is gone")
    }

    @Test func missingQemuIsOneLineNamingThePackages() async throws {
        let result = try await MinnowProcess.run(["emulator"], environment: ["PATH": "/nonexistent"])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: an emulated board needs qemu-system-arm and socat, not found on PATH (Debian/Ubuntu: apt-get install qemu-system-arm socat)\n",
            "\(result.stderr)")
    }

    /// Live processes whose command line contains `text` (zombies excluded).
    static func processes(containing text: String) -> [Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int.init).filter { pid in
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !cmdline.isEmpty,
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                !stat.contains(") Z ")
            else { return false }
            return String(decoding: cmdline.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }
}
