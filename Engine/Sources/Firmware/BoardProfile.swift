// Board profiles: the microcontrollers Minnow targets, with the compiler flags for their
// CPU, their memory, and the clock and cycles-per-MAC used for the latency estimate.
//
// Latency estimate method (documented, not measured on hardware): MACs of the model ×
// cycles per MAC of the generated reference C kernels on that core ÷ clock. Cycles per MAC
// are rough figures for plain C int8 loops: Cortex-M0+ 14 (no DSP, Thumb-1), Cortex-M4 6,
// Cortex-M7 3 (dual issue), Xtensa LX7 6. Real boards vary with flash wait states and caches.

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
    public var cyclesPerMAC: Double
    /// True when sizes are estimated from a Cortex-M4 build because no compiler for the CPU is available.
    public var estimateOnly: Bool

    public static let all: [BoardProfile] = [
        BoardProfile(name: "nano33ble", displayName: "Arduino Nano 33 BLE Sense (nRF52840)", cpu: "Cortex-M4F",
                     compilerFlags: ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
                     clockMHz: 64, flashBytes: 1 << 20, ramBytes: 256 << 10, cyclesPerMAC: 6, estimateOnly: false),
        BoardProfile(name: "pico", displayName: "Raspberry Pi Pico (RP2040)", cpu: "Cortex-M0+",
                     compilerFlags: ["-mcpu=cortex-m0plus", "-mthumb"],
                     clockMHz: 133, flashBytes: 2 << 20, ramBytes: 264 << 10, cyclesPerMAC: 14, estimateOnly: false),
        BoardProfile(name: "nucleo-l4r5zi", displayName: "STM32 Nucleo-L4R5ZI", cpu: "Cortex-M4F",
                     compilerFlags: ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
                     clockMHz: 120, flashBytes: 2 << 20, ramBytes: 640 << 10, cyclesPerMAC: 6, estimateOnly: false),
        BoardProfile(name: "portenta-h7", displayName: "Arduino Portenta H7 / Nicla Vision (STM32H747)", cpu: "Cortex-M7",
                     compilerFlags: ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"],
                     clockMHz: 480, flashBytes: 2 << 20, ramBytes: 1 << 20, cyclesPerMAC: 3, estimateOnly: false),
        BoardProfile(name: "esp32-s3", displayName: "ESP32-S3 (Xtensa LX7)", cpu: "Xtensa LX7",
                     compilerFlags: [], clockMHz: 240, flashBytes: 8 << 20, ramBytes: 512 << 10, cyclesPerMAC: 6, estimateOnly: true),
    ]

    /// The profile called `name` (case-insensitive), or nil.
    public static func named(_ name: String) -> BoardProfile? {
        all.first { $0.name == name.lowercased() }
    }

    /// Estimated milliseconds per inference for `macs` multiply–accumulates.
    public func estimatedMilliseconds(macs: Int) -> Double {
        Double(macs) * cyclesPerMAC / Double(clockMHz * 1000)
    }
}
