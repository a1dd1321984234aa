// Which kernels an `Int8Runtime` runs: TFLite Micro's plain reference loops, the fast kernels
// compiled for any x86-64/arm64 CPU, or the same fast kernels compiled for AVX2 and FMA.
// All three give the same bytes (tested); only their speed differs.

import CPUFeatures
import Foundation

public enum KernelChoice: String, Sendable, CaseIterable {
    /// TFLite Micro's reference loops (`reference_integer_ops`), for tests and comparisons.
    case reference
    /// The fast kernels compiled for the baseline CPU of the build (SSE2 on x86-64).
    case portable
    /// The fast kernels compiled for x86-64-v3 (AVX2, FMA); only on CPUs that have it.
    case avx2

    /// Whether this CPU can run these kernels.
    public var isSupported: Bool {
        switch self {
        case .reference, .portable: true
        case .avx2: Self.cpuHasAVX2
        }
    }

    /// The fastest supported kernels; `MINNOW_INT8_KERNELS=portable` (or `reference`) picks
    /// others, e.g. to compare them on one machine.
    public static let fastest: KernelChoice = {
        if let name = ProcessInfo.processInfo.environment["MINNOW_INT8_KERNELS"],
            let chosen = KernelChoice(rawValue: name), chosen.isSupported
        {
            return chosen
        }
        return cpuHasAVX2 ? .avx2 : .portable
    }()

    private static let cpuHasAVX2 = minnow_cpu_has_x86_64_v3() != 0
}
