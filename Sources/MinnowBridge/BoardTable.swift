// The table that turns a USB VID:PID into what the bridge can say about the board behind it: a
// Minnow board profile (and whether the board is in its bootloader or running an application),
// or "unknown board" naming the USB chip or probe. It reads nothing; USBDiscovery asks it.
//
// The VID:PID pairs below are common knowledge (DEVICES.md B.3), not read off real boards here.
// Verify each against the cores' boards.txt (`<board>.vid.N` / `.pid.N`) or PlatformIO board
// manifests (`build.hwids`) before relying on them.

public enum USBMode: String, Sendable, Equatable, Codable {
    /// The board runs a sketch/application (its serial port is the one to talk to).
    case application
    /// The board is in its bootloader (BOOTSEL drive, DFU, bossa): ready to be flashed.
    case bootloader
    /// Not known from the VID:PID (a generic USB-serial chip or a debug probe).
    case unknown
}

/// What the table knows about one VID:PID.
public struct BoardIdentity: Sendable, Equatable, Codable {
    /// A Minnow board profile name (`BoardProfile.name` in the Engine), or nil when the VID:PID
    /// does not identify a board (generic chips, probes, unlisted devices).
    public var profile: String?
    /// A human description: the board, or the chip with "(board unknown)".
    public var description: String
    public var mode: USBMode
    /// A profile to offer first when the board is unknown (e.g. the only ST board Minnow has).
    public var suggestedProfile: String?

    public init(profile: String?, description: String, mode: USBMode, suggestedProfile: String? = nil) {
        self.profile = profile
        self.description = description
        self.mode = mode
        self.suggestedProfile = suggestedProfile
    }

    public var isKnownBoard: Bool { profile != nil }
}

public enum BoardTable {
    public struct Entry: Sendable, Equatable {
        public var vid: UInt16
        public var pid: UInt16
        public var identity: BoardIdentity
    }

    private static func board(
        _ vid: UInt16, _ pid: UInt16, _ profile: String, _ description: String,
        _ mode: USBMode
    ) -> Entry {
        Entry(vid: vid, pid: pid, identity: BoardIdentity(profile: profile, description: description, mode: mode))
    }

    private static func chip(_ vid: UInt16, _ pid: UInt16, _ chip: String, suggest: String? = nil) -> Entry {
        Entry(
            vid: vid, pid: pid,
            identity: BoardIdentity(
                profile: nil, description: "\(chip) (board unknown)",
                mode: .unknown, suggestedProfile: suggest))
    }

    public static let entries: [Entry] = [
        board(0x2341, 0x805a, "nano33ble", "Arduino Nano 33 BLE", .application),
        board(0x2341, 0x005a, "nano33ble", "Arduino Nano 33 BLE (bootloader)", .bootloader),
        board(0x2e8a, 0x000a, "pico", "Raspberry Pi Pico (RP2040, pico-sdk USB CDC)", .application),
        board(0x2e8a, 0x0003, "pico", "Raspberry Pi Pico (RP2040 BOOTSEL)", .bootloader),
        board(0x2e8a, 0x0005, "pico", "Raspberry Pi Pico (RP2040, MicroPython)", .application),
        // ST-LINK/V2-1 sits on dozens of Nucleo-64/144 and Discovery boards, so the VID:PID
        // names the probe, not the board. Claiming nucleo-l4r5zi would flash the wrong image onto
        // any other ST board; it is listed as unknown with nucleo-l4r5zi (Minnow's only ST
        // profile) suggested, and the user assigns it once (remembered by serial number).
        chip(0x0483, 0x374b, "ST-LINK/V2-1 on an ST board", suggest: "nucleo-l4r5zi"),
        board(0x303a, 0x1001, "esp32-s3", "Espressif ESP32-S3 (native USB)", .application),
        chip(0x1a86, 0x7523, "CH340 USB-serial"),
        chip(0x10c4, 0xea60, "CP210x USB-serial"),
        chip(0x0403, 0x6001, "FT232 USB-serial"),
        chip(0x0d28, 0x0204, "Arm DAPLink"),
    ]

    /// What the table says about a VID:PID; an unlisted pair is an unknown USB device.
    public static func identify(vid: UInt16, pid: UInt16) -> BoardIdentity {
        if let e = entries.first(where: { $0.vid == vid && $0.pid == pid }) { return e.identity }
        return BoardIdentity(
            profile: nil, description: "USB device \(hex4(vid)):\(hex4(pid)) (board unknown)",
            mode: .unknown)
    }

    static func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
