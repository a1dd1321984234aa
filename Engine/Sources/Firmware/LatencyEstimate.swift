// LatencyEstimate: instructions per inference for a board's report. Measured with
// LatencyProbe on the CPU's emulated core when qemu and newlib are installed; otherwise (or
// for a CPU without an emulator here, the ESP32-S3's Xtensa) estimated as MACs × instructions
// per MAC, figures measured with LatencyProbe on the Fashion-MNIST fixture
// (Engine/Tests/Fixtures/fashion_tf_int8.tflite) and checked by FirmwareTests. Never cycles.

public enum LatencyEstimate {
    /// Instructions per MAC of the generated C (at its -O3 pragma) on the fixture (662,912 MACs), per
    /// emulated core, measured with LatencyProbe (LatencyProbeTests re-measures and checks them):
    /// M0 (pico flags) 7,056,250 instructions, M3 3,421,440, M4 3,388,360, M7 3,393,640.
    public static let instructionsPerMAC: [String: Double] = [
        "Cortex-M0": 10.64, "Cortex-M3": 5.16, "Cortex-M4": 5.11, "Cortex-M7": 5.12,
    ]

    /// Instructions, how they were obtained, and a sentence saying so.
    public static func latency(
        _ library: CLibrary, for board: BoardProfile, measure: Bool
    ) -> (instructions: Int, method: LatencyMethod, note: String) {
        let machine = board.latencyMachine ?? .mps2AN386
        let flags = board.estimateOnly ? BoardProfile.named("nano33ble")!.compilerFlags : board.compilerFlags
        if measure, LatencyProbe.available,
            let measured = try? LatencyProbe.measure(library, flags: flags, machine: machine)
        {
            if board.latencyMachine == nil {
                return (
                    measured.instructions, .estimated,
                    "estimated: instructions of the Cortex-M4 build on an emulated Cortex-M4 under qemu -icount (no \(board.cpu) emulator here)"
                )
            }
            return (
                measured.instructions, .emulated,
                "instructions on an emulated \(measured.core) under qemu -icount, a lower bound on cycles"
            )
        }
        let perMAC = instructionsPerMAC[machine.core] ?? instructionsPerMAC["Cortex-M4"]!
        return (
            Int((Double(library.macs) * perMAC).rounded()), .estimated,
            "estimated: \(library.macs) MACs × \(perMAC) instructions per MAC measured on an emulated \(machine.core) (qemu not installed)"
        )
    }
}
