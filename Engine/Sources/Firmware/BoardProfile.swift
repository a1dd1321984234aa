// Board profiles: the microcontrollers Minnow targets, with the compiler flags for their
// CPU, their memory and clock, and the qemu machine that emulates their CPU. Latency is not
// guessed here: LatencyProbe measures instructions per inference on that machine (see
// EmulatedMachine). The mps2-* profiles are emulated boards themselves: Minnow builds a
// complete bare-metal firmware for them (FirmwareBuilder) that the bridge flashes into qemu.

/// A target board.
public struct BoardProfile: Sendable, Equatable {
    public var name: String
    public var displayName: String
    public var cpu: String
    /// arm-none-eabi-gcc flags for the CPU; empty when no compiler is available (estimate only).
    public var compilerFlags: [String]
    public var clockMHz: Int
    public var flashBytes: Int
    public var ramBytes: Int
    /// True when sizes are estimated from a Cortex-M4 build because no compiler for the CPU is available.
    public var estimateOnly: Bool
    /// The qemu machine whose emulated core runs this CPU's code (for instruction counts); nil when none.
    public var latencyMachine: EmulatedMachine?
    /// True when the board *is* an emulated machine (it exists only in qemu); its firmware is Minnow's bare-metal image.
    public var emulated: Bool

    /// True when FirmwareBuilder has a board support package (startup, linker script, UART) for this profile.
    public var hasBareMetalSupport: Bool { emulated && latencyMachine?.hasCMSDKUART == true }

    static let m4Flags = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
    static let m7Flags = ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"]

    public static let all: [BoardProfile] = [
        BoardProfile(
            name: "nano33ble", displayName: "Arduino Nano 33 BLE Sense (nRF52840)", cpu: "Cortex-M4F",
            compilerFlags: m4Flags,
            clockMHz: 64, flashBytes: 1 << 20, ramBytes: 256 << 10, estimateOnly: false, latencyMachine: .mps2AN386,
            emulated: false),
        BoardProfile(
            name: "pico", displayName: "Raspberry Pi Pico (RP2040)", cpu: "Cortex-M0+",
            compilerFlags: ["-mcpu=cortex-m0plus", "-mthumb"],
            clockMHz: 133, flashBytes: 2 << 20, ramBytes: 264 << 10, estimateOnly: false, latencyMachine: .microbit,
            emulated: false),
        BoardProfile(
            name: "nucleo-l4r5zi", displayName: "STM32 Nucleo-L4R5ZI", cpu: "Cortex-M4F", compilerFlags: m4Flags,
            clockMHz: 120, flashBytes: 2 << 20, ramBytes: 640 << 10, estimateOnly: false, latencyMachine: .mps2AN386,
            emulated: false),
        BoardProfile(
            name: "portenta-h7", displayName: "Arduino Portenta H7 / Nicla Vision (STM32H747)", cpu: "Cortex-M7",
            compilerFlags: m7Flags,
            clockMHz: 480, flashBytes: 2 << 20, ramBytes: 1 << 20, estimateOnly: false, latencyMachine: .mps2AN500,
            emulated: false),
        BoardProfile(
            name: "esp32-s3", displayName: "ESP32-S3 (Xtensa LX7)", cpu: "Xtensa LX7", compilerFlags: [],
            clockMHz: 240, flashBytes: 8 << 20, ramBytes: 512 << 10, estimateOnly: true, latencyMachine: nil,
            emulated: false),
        BoardProfile(
            name: "mps2-an386", displayName: "Emulated Arm MPS2 AN386 (Cortex-M4, qemu)", cpu: "Cortex-M4F",
            compilerFlags: m4Flags,
            clockMHz: 25, flashBytes: 4 << 20, ramBytes: 4 << 20, estimateOnly: false, latencyMachine: .mps2AN386,
            emulated: true),
        BoardProfile(
            name: "mps2-an385", displayName: "Emulated Arm MPS2 AN385 (Cortex-M3, qemu)", cpu: "Cortex-M3",
            compilerFlags: ["-mcpu=cortex-m3", "-mthumb"],
            clockMHz: 25, flashBytes: 4 << 20, ramBytes: 4 << 20, estimateOnly: false, latencyMachine: .mps2AN385,
            emulated: true),
        BoardProfile(
            name: "mps2-an500", displayName: "Emulated Arm MPS2 AN500 (Cortex-M7, qemu)", cpu: "Cortex-M7",
            compilerFlags: m7Flags,
            clockMHz: 25, flashBytes: 4 << 20, ramBytes: 4 << 20, estimateOnly: false, latencyMachine: .mps2AN500,
            emulated: true),
    ]

    /// The profile called `name` (case-insensitive), or nil.
    public static func named(_ name: String) -> BoardProfile? {
        all.first { $0.name == name.lowercased() }
    }

    /// Milliseconds for `instructions` at this board's clock if every instruction took one cycle (a lower bound).
    public func milliseconds(instructions: Int) -> Double {
        Double(instructions) / Double(clockMHz * 1000)
    }
}

/// A qemu-system-arm machine: its core and the memory map a bare-metal image is linked for.
public struct EmulatedMachine: Sendable, Equatable {
    /// `-machine` and `-cpu` for qemu-system-arm.
    public var machine: String
    public var cpu: String
    /// Display name of the core, e.g. "Cortex-M4".
    public var core: String
    /// Code memory (read-only for the image) and data memory.
    public var flashOrigin: UInt32
    public var flashBytes: Int
    public var ramOrigin: UInt32
    public var ramBytes: Int
    /// Clock of the free-running tick counter (TIMER0), equal to the CPU clock on these machines.
    /// Under `-icount shift=0` one instruction takes 1 ns of virtual time.
    public var tickHz: Int
    /// The peripherals at fixed addresses that the board support drives.
    public var peripherals: Peripherals

    /// Instructions per tick under `-icount shift=0` (40 on the 25 MHz MPS2 boards).
    public var instructionsPerTick: Double { 1e9 / Double(tickHz) }
    /// True when UART0 is a CMSDK APB UART at 0x40004000 (RX interrupt 0), as on the MPS2 boards.
    public var hasCMSDKUART: Bool { peripherals == .cmsdk }

    public enum Peripherals: Sendable, Equatable {
        /// Arm CMSDK APB UART0 and TIMER0 (the MPS2 boards).
        case cmsdk
        /// Nordic nRF51 TIMER0 (the micro:bit); no UART driver.
        case nrf51
    }

    public static let mps2AN385 = EmulatedMachine(
        machine: "mps2-an385", cpu: "cortex-m3", core: "Cortex-M3", flashOrigin: 0, flashBytes: 4 << 20,
        ramOrigin: 0x2000_0000, ramBytes: 4 << 20, tickHz: 25_000_000, peripherals: .cmsdk)
    public static let mps2AN386 = EmulatedMachine(
        machine: "mps2-an386", cpu: "cortex-m4", core: "Cortex-M4", flashOrigin: 0, flashBytes: 4 << 20,
        ramOrigin: 0x2000_0000, ramBytes: 4 << 20, tickHz: 25_000_000, peripherals: .cmsdk)
    public static let mps2AN500 = EmulatedMachine(
        machine: "mps2-an500", cpu: "cortex-m7", core: "Cortex-M7", flashOrigin: 0, flashBytes: 4 << 20,
        ramOrigin: 0x2000_0000, ramBytes: 4 << 20, tickHz: 25_000_000, peripherals: .cmsdk)
    /// BBC micro:bit (nRF51822, Cortex-M0 at 16 MHz): 256 KB flash, 16 KB RAM, no CMSDK UART.
    public static let microbit = EmulatedMachine(
        machine: "microbit", cpu: "cortex-m0", core: "Cortex-M0", flashOrigin: 0, flashBytes: 256 << 10,
        ramOrigin: 0x2000_0000, ramBytes: 16 << 10, tickHz: 16_000_000, peripherals: .nrf51)
}
