// FlasherOptions from `key=value` settings, so a command line can pass any flasher's options
// without knowing them all (`--flasher gdb-remote --flasher-option gdb=127.0.0.1:3333`, or
// its own flags mapped to these keys). Only parsing: the flashers check what they need.
import Foundation

extension FlasherOptions {
    /// Every key `set` understands, with what it sets.
    public static let settingKeys: [(key: String, help: String)] = [
        ("timeout", "seconds before the tool is killed (each flasher has its own default)"),
        ("tool", "the tool's executable (name on PATH, or a path)"),
        ("path", "PATH to search for tools"),
        ("arg", "an extra argument for the tool (repeatable)"),
        ("gdb", "gdb-remote: HOST:PORT of the gdb server (qemu, OpenOCD, pyOCD)"),
        ("reset", "gdb-remote: reset command (default `monitor system_reset`; OpenOCD `monitor reset run`)"),
        ("port", "bossac, esptool, avrdude: the board's serial port"),
        ("touch1200", "bossac: 1200-baud touch to start the bootloader (true/false)"),
        ("settle", "bossac: seconds to wait after the touch"),
        ("config", "openocd: a config file (repeatable, or comma-separated)"),
        ("dfu-device", "dfu-util: VID:PID"),
        ("dfu-alt", "dfu-util: alt setting (default 0)"),
        ("dfu-address", "dfu-util: -s address (default 0x08000000:leave)"),
        ("chip", "esptool: chip (default esp32s3)"),
        ("baud", "esptool, avrdude: baud rate"),
        ("address", "esptool: flash address of the app image (default 0x10000)"),
        ("programmer", "avrdude: -c programmer (default arduino)"),
        ("part", "avrdude: -p part (e.g. atmega328p)"),
        ("drive", "uf2-copy: the mounted bootloader drive"),
        ("family", "uf2-copy: UF2 family ID (default 0xe48bff56, RP2040)"),
    ]

    /// Sets one option from its `key` and text `value`.
    public mutating func set(_ key: String, _ value: String) throws {
        func number() throws -> Double {
            guard let v = Double(value), v > 0 else {
                throw FlashError.badOptions("\(key)=\(value): expected a positive number")
            }
            return v
        }
        switch key {
        case "timeout": timeout = try number()
        case "tool": tool = value
        case "path": searchPath = value
        case "arg": extraArguments.append(value)
        case "gdb": gdbAddress = value
        case "reset": gdbResetCommand = value
        case "port": port = value
        case "touch1200":
            guard
                let b = ["true": true, "yes": true, "1": true, "false": false, "no": false, "0": false][
                    value.lowercased()]
            else {
                throw FlashError.badOptions("touch1200=\(value): expected true or false")
            }
            touch1200 = b
        case "settle": settleSeconds = try number()
        case "config": openocdConfigs += value.split(separator: ",").map { String($0) }
        case "dfu-device": dfuDevice = value
        case "dfu-alt": dfuAlt = value
        case "dfu-address": dfuAddress = value
        case "chip": espChip = value
        case "baud":
            guard let b = Int(value), b > 0 else { throw FlashError.badOptions("baud=\(value): expected a number") }
            baud = b
        case "address": flashAddress = value
        case "programmer": avrProgrammer = value
        case "part": avrPart = value
        case "drive": uf2Drive = value
        case "family":
            let digits = value.lowercased().hasPrefix("0x") ? String(value.dropFirst(2)) : value
            guard let f = UInt32(digits, radix: 16) else {
                throw FlashError.badOptions("family=\(value): expected a hex number")
            }
            uf2FamilyID = f
        default:
            throw FlashError.badOptions(
                "unknown flasher option \"\(key)\" (known: \(Self.settingKeys.map(\.key).joined(separator: ", ")))")
        }
    }

    /// Options from `key=value` strings, in order.
    public init(settings: [String]) throws {
        self.init()
        for setting in settings {
            guard let eq = setting.firstIndex(of: "=") else {
                throw FlashError.badOptions("\"\(setting)\" is not key=value")
            }
            try set(String(setting[..<eq]), String(setting[setting.index(after: eq)...]))
        }
    }
}
