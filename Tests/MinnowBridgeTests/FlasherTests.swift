// Every flasher against a fake executable on PATH: the arguments it builds, exit-code handling,
// its timeout (the tool is killed, the flash fails as timed out), tool-specific output checks,
// the missing-tool message naming the package, and the factory.
import XCTest
@testable import MinnowBridge

final class FlasherTests: XCTestCase {
    var tools: FakeToolbox!
    var elf: String!

    override func setUpWithError() throws {
        tools = try FakeToolbox()
        elf = try TestELF.temporary()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: elf)
        tools = nil
    }

    func options(_ configure: (inout FlasherOptions) -> Void = { _ in }) -> FlasherOptions {
        var o = FlasherOptions()
        o.searchPath = tools.searchPath
        configure(&o)
        return o
    }

    static let gdbOK = """
        Loading section .text, size 0x1a4 lma 0x0
        Start address 0x00000008, load size 420
        Transfer rate: 3360 bits in <1 sec, 420 bytes/write.
        Section .text, range 0x0 -- 0x1a4: matched.
        """

    // MARK: gdb-remote

    func testGDBRemoteArgumentsAndSuccess() throws {
        try tools.install("gdb-multiarch", .exit(0, output: Self.gdbOK))
        let f = try FlasherFactory.make(
            "gdb-remote",
            options: options {
                $0.gdbAddress = "127.0.0.1:3333"; $0.timeout = 9
            })
        XCTAssertEqual(f.timeout, 9)
        let result = try f.flash(FirmwareFile(path: elf))
        XCTAssertEqual(
            tools.calls("gdb-multiarch"),
            [
                [
                    "-q", "-batch", "-nx", "-ex", "set tcp connect-timeout 3", "-ex",
                    "target extended-remote 127.0.0.1:3333",
                    "-ex", "load", "-ex", "compare-sections", "-ex", "monitor system_reset", "-ex", "detach", elf,
                ]
            ])
        XCTAssertTrue(result.output.contains("matched."))
        XCTAssertTrue(result.commands[0].hasPrefix("gdb-multiarch -q -batch -nx -ex 'set tcp connect-timeout 3'"))
    }

    func testGDBRemoteRejectsAMismatchEvenWithExitZero() throws {
        try tools.install(
            "gdb-multiarch",
            .exit(
                0, output: "Loading section .text, size 0x1a4 lma 0x0\nSection .text, range 0x0 -- 0x1a4: MIS-MATCHED!")
        )
        let f = try GDBRemoteFlasher(options: options { $0.gdbAddress = "localhost:1234" })
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
            guard case FlashError.verificationFailed(_, let reason, let output) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(reason.contains("MIS-MATCHED"))
            XCTAssertTrue(output.contains("MIS-MATCHED!"))
        }
    }

    func testGDBRemoteNonZeroExitFails() throws {
        try tools.install("gdb-multiarch", .exit(1, output: "warning: something"))
        let f = try GDBRemoteFlasher(
            options: options {
                $0.gdbAddress = "127.0.0.1:1"; $0.gdbResetCommand = "monitor reset run"
            })
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
            guard case FlashError.failed(_, let code, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(code, 1)
        }
        XCTAssertTrue(tools.calls("gdb-multiarch")[0].contains("monitor reset run"))
        // What gdb prints with no server: even "matched" (the ELF compared with itself) must not pass.
        for code: Int32 in [0, 1] {
            try tools.install(
                "gdb-multiarch",
                .exit(
                    code,
                    output: """
                        Section .text, range 0x0 -- 0x3a2: matched.
                        127.0.0.1:1: Connection timed out.
                        You can't do that when your target is `exec'
                        """))
            XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
                guard case FlashError.unreachable(_, let reason, let output) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains("connection timed out"))
                XCTAssertTrue(output.contains("Connection timed out"))
                XCTAssertTrue("\(error)".hasPrefix("gdb-multiarch could not reach the board"))
            }
        }
    }

    func testGDBRemoteNeedsAnAddress() {
        XCTAssertThrowsError(try FlasherFactory.make("gdb-remote", options: options())) { error in
            XCTAssertTrue("\(error)".contains("--gdb"))
        }
        XCTAssertThrowsError(try FlasherFactory.make("gdb-remote", options: options { $0.gdbAddress = "nohostport" }))
    }

    // MARK: timeouts

    func testEveryToolIsKilledAtItsTimeout() throws {
        let cases: [(String, String, (inout FlasherOptions) -> Void)] = [
            ("gdb-remote", "gdb-multiarch", { $0.gdbAddress = "127.0.0.1:3333" }),
            ("openocd", "openocd", { $0.openocdConfigs = ["board/st_nucleo_l4.cfg"] }),
            ("bossac", "bossac", { $0.port = "/dev/ttyACM0" }),
            ("dfu-util", "dfu-util", { _ in }),
            (
                "esptool", "esptool",
                {
                    $0.port = "/dev/ttyACM0"; $0.espChip = "esp32s3"
                }
            ),
            (
                "avrdude", "avrdude",
                {
                    $0.port = "/dev/ttyUSB0"; $0.avrPart = "atmega328p"
                }
            ),
        ]
        try tools.install("arm-none-eabi-objcopy", .copyInputToOutput)
        for (name, tool, configure) in cases {
            try tools.install(tool, .sleep(seconds: 30))
            let f = try FlasherFactory.make(
                name,
                options: options {
                    configure(&$0); $0.timeout = 0.5
                })
            let start = Date()
            XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf)), name) { error in
                guard case FlashError.timedOut(let t, let s, let output) = error else {
                    return XCTFail("\(name): \(error)")
                }
                XCTAssertEqual(t, tool)
                XCTAssertEqual(s, 0.5)
                XCTAssertTrue(output.contains("working..."), name)
                XCTAssertTrue(error.localizedDescription.isEmpty == false)
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 3, name)
        }
    }

    func testDefaultTimeoutsDiffer() throws {
        XCTAssertEqual(try GDBRemoteFlasher(options: options { $0.gdbAddress = "h:1" }).timeout, 60)
        XCTAssertEqual(try OpenOCDFlasher(options: options { $0.openocdConfigs = ["x.cfg"] }).timeout, 90)
        XCTAssertEqual(try BossacFlasher(options: options { $0.port = "p" }).timeout, 120)
        XCTAssertEqual(try DFUUtilFlasher(options: options()).timeout, 120)
        XCTAssertEqual(try ESPToolFlasher(options: options { $0.port = "p" }).timeout, 180)
        XCTAssertEqual(
            try AVRDudeFlasher(
                options: options {
                    $0.port = "p"; $0.avrPart = "m328p"
                }
            ).timeout, 60)
        XCTAssertEqual(try UF2CopyFlasher(options: options { $0.uf2Drive = "/d" }).timeout, 60)
    }

    // MARK: missing tools

    func testAMissingToolNamesItsPackage() throws {
        try tools.install("arm-none-eabi-objcopy", .copyInputToOutput)
        let cases: [(String, String, (inout FlasherOptions) -> Void)] = [
            ("gdb-remote", "gdb-multiarch", { $0.gdbAddress = "127.0.0.1:3333" }),
            ("openocd", "the Debian package openocd", { $0.openocdConfigs = ["a.cfg"] }),
            ("bossac", "bossa-cli", { $0.port = "/dev/ttyACM0" }),
            ("dfu-util", "the Debian package dfu-util", { _ in }),
            ("esptool", "PyPI", { $0.port = "/dev/ttyACM0" }),
            (
                "avrdude", "the Debian package avrdude",
                {
                    $0.port = "/dev/ttyUSB0"; $0.avrPart = "atmega328p"
                }
            ),
        ]
        for (name, package, configure) in cases {
            let f = try FlasherFactory.make(name, options: options(configure))
            XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf)), name) { error in
                guard case FlashError.toolMissing(_, let install) = error else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue(install.contains(package), "\(name): \(install)")
                XCTAssertTrue("\(error)".contains("is not installed: install"), "\(error)")
            }
        }
    }

    func testAMissingObjcopyNamesItsPackage() throws {
        try tools.install("bossac", .exit(0))
        let f = try BossacFlasher(options: options { $0.port = "/dev/ttyACM0" })
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
            XCTAssertEqual(
                error as? FlashError,
                .toolMissing(
                    tool: "arm-none-eabi-objcopy",
                    install: "Debian package binutils-arm-none-eabi (or gcc-arm-none-eabi)"))
        }
        XCTAssertEqual(tools.calls("bossac"), [])
    }

    // MARK: each vendor tool's arguments and exit codes

    func testOpenOCD() throws {
        try tools.install("openocd", .exit(0, output: "** Programming Finished **\n** Verified OK **"))
        let f = try OpenOCDFlasher(
            options: options { $0.openocdConfigs = ["interface/stlink.cfg", "target/stm32l4x.cfg"] })
        _ = try f.flash(FirmwareFile(path: elf))
        XCTAssertEqual(
            tools.calls("openocd"),
            [
                [
                    "-f", "interface/stlink.cfg", "-f", "target/stm32l4x.cfg",
                    "-c", "program \(elf!) verify reset exit",
                ]
            ])
        try tools.install("openocd", .exit(0, output: "Verify Failed"))
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
            guard case FlashError.verificationFailed = error else { return XCTFail("\(error)") }
        }
        try tools.install("openocd", .exit(1, output: "Error: open failed"))
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
            XCTAssertEqual("\(error)", "openocd failed (exit code 1)")
            XCTAssertTrue((error as! FlashError).output.contains("Error: open failed"))
        }
        XCTAssertThrowsError(try OpenOCDFlasher(options: options()))
    }

    func testBossacConvertsToBinAndRunsTheArduinoCommand() throws {
        try tools.install("arm-none-eabi-objcopy", .copyInputToOutput)
        try tools.install("bossac", .exit(0, output: "Verify successful"))
        let f = try BossacFlasher(options: options { $0.port = "/dev/ttyACM0" })
        _ = try f.flash(FirmwareFile(path: elf))
        let objcopy = tools.calls("arm-none-eabi-objcopy")
        XCTAssertEqual(objcopy.count, 1)
        XCTAssertEqual(Array(objcopy[0].prefix(3)), ["-O", "binary", elf])
        let bin = objcopy[0][3]
        XCTAssertTrue(bin.hasSuffix(".bin"))
        XCTAssertEqual(tools.calls("bossac"), [["-d", "--port=/dev/ttyACM0", "-U", "-i", "-e", "-w", "-v", bin, "-R"]])
        XCTAssertFalse(FileManager.default.fileExists(atPath: bin), "the scratch copy is removed")
        try tools.install("bossac", .exit(2, output: "No device found on /dev/ttyACM0"))
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
            guard case FlashError.failed(_, 2, let out) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(out.contains("No device found"))
        }
    }

    func testDFUUtil() throws {
        try tools.install("arm-none-eabi-objcopy", .copyInputToOutput)
        try tools.install("dfu-util", .exit(0))
        let f = try DFUUtilFlasher(
            options: options {
                $0.dfuDevice = "0483:df11"; $0.extraArguments = ["-v"]
            })
        _ = try f.flash(FirmwareFile(path: elf))
        let bin = tools.calls("arm-none-eabi-objcopy")[0][3]
        XCTAssertEqual(
            tools.calls("dfu-util"), [["-d", "0483:df11", "-a", "0", "-s", "0x08000000:leave", "-v", "-D", bin]])
        try tools.install("dfu-util", .exit(74))
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) {
            XCTAssertEqual("\($0)", "dfu-util failed (exit code 74)")
        }
    }

    func testESPToolMakesAnAppImageThenWritesIt() throws {
        try tools.install("esptool", .exit(0))
        let f = try ESPToolFlasher(options: options { $0.port = "/dev/ttyACM3" })
        _ = try f.flash(FirmwareFile(path: elf))
        let calls = tools.calls("esptool")
        XCTAssertEqual(calls.count, 2)
        XCTAssertEqual(Array(calls[0].prefix(4)), ["--chip", "esp32s3", "elf2image", "--output"])
        XCTAssertEqual(calls[0].last, elf)
        let app = calls[0][4]
        XCTAssertEqual(
            calls[1],
            ["--chip", "esp32s3", "--port", "/dev/ttyACM3", "--baud", "460800", "write_flash", "0x10000", app])
        try tools.install("esptool", .exit(2))
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf)))
    }

    func testAVRDudeReadsTheELFDirectly() throws {
        try tools.install("avrdude", .exit(0))
        let f = try AVRDudeFlasher(
            options: options {
                $0.port = "/dev/ttyUSB0"; $0.avrPart = "atmega328p"; $0.baud = 115200
            })
        _ = try f.flash(FirmwareFile(path: elf))
        XCTAssertEqual(
            tools.calls("avrdude"),
            [
                [
                    "-c", "arduino", "-p", "atmega328p", "-P", "/dev/ttyUSB0", "-b", "115200",
                    "-D", "-U", "flash:w:\(elf!):e",
                ]
            ])
        try tools.install("avrdude", .exit(1, output: "avrdude: stk500_recv(): programmer is not responding"))
        XCTAssertThrowsError(try f.flash(FirmwareFile(path: elf))) { error in
            XCTAssertTrue((error as! FlashError).output.contains("not responding"))
        }
        XCTAssertThrowsError(try AVRDudeFlasher(options: options { $0.port = "/dev/ttyUSB0" }))
    }

    func testFactoryKnowsEveryName() throws {
        XCTAssertEqual(FlasherFactory.names.count, 7)
        XCTAssertThrowsError(try FlasherFactory.make("jlink", options: options())) { error in
            XCTAssertTrue("\(error)".contains("unknown flasher \"jlink\""))
        }
        let f = try FlasherFactory.make("uf2-copy", options: options { $0.uf2Drive = "/media/RPI-RP2" })
        XCTAssertEqual(f.name, "uf2-copy")
    }

    func testProcessRunnerKillsTheWholeGroup() throws {
        try tools.install("slow", .sleep(seconds: 30))
        let start = Date()
        let r = try ProcessRunner(searchPath: tools.searchPath).run("slow", [], timeout: 0.3)
        XCTAssertTrue(r.timedOut)
        XCTAssertNil(r.exitCode)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.5)
        XCTAssertThrowsError(try ProcessRunner(searchPath: tools.searchPath).run("absent", [], timeout: 1)) {
            XCTAssertEqual($0 as? ProcessRunnerError, .notFound(tool: "absent"))
        }
    }
}

final class FlasherSettingsTests: XCTestCase {
    func testSettingsBuildOptions() throws {
        let o = try FlasherOptions(settings: [
            "gdb=127.0.0.1:3333", "timeout=12.5", "reset=monitor reset run",
            "config=interface/stlink.cfg,target/stm32l4x.cfg", "arg=-v", "arg=-x",
            "family=0xE48BFF56", "touch1200=yes", "baud=921600",
        ])
        XCTAssertEqual(o.gdbAddress, "127.0.0.1:3333")
        XCTAssertEqual(o.timeout, 12.5)
        XCTAssertEqual(o.gdbResetCommand, "monitor reset run")
        XCTAssertEqual(o.openocdConfigs, ["interface/stlink.cfg", "target/stm32l4x.cfg"])
        XCTAssertEqual(o.extraArguments, ["-v", "-x"])
        XCTAssertEqual(o.uf2FamilyID, 0xE48B_FF56)
        XCTAssertTrue(o.touch1200)
        XCTAssertEqual(o.baud, 921_600)
        XCTAssertEqual(try FlasherFactory.make("gdb-remote", options: o).timeout, 12.5)
        XCTAssertThrowsError(try FlasherOptions(settings: ["speed=9"])) {
            XCTAssertTrue("\($0)".contains("unknown flasher option \"speed\""))
        }
        XCTAssertThrowsError(try FlasherOptions(settings: ["timeout=-1"]))
        XCTAssertThrowsError(try FlasherOptions(settings: ["gdb"]))
    }

    func testTranscriptIsBounded() throws {
        let pty = try PtyPair()
        let connection = BoardConnection(port: try SerialPort(path: pty.slavePath))
        connection.transcriptLimit = 3
        let mark = connection.transcriptMark
        for i in 0..<5 { connection.note("n\(i)") }
        XCTAssertEqual(connection.transcript.count, 4)
        XCTAssertEqual(connection.transcript.first, "(2 earlier lines dropped)")
        XCTAssertEqual(connection.transcript(since: mark).map { String($0.suffix(2)) }, ["n2", "n3", "n4"])
        XCTAssertEqual(connection.transcript(since: 4).map { String($0.suffix(2)) }, ["n4"])
    }
}
