// Liveness-based arena plan: every activation (and per-operator scratch) buffer gets an
// offset in one arena such that buffers alive at the same step never overlap.
//
// Greedy by size (largest first, lowest fitting offset), like TFLite Micro's greedy planner.
// Shared by the Swift runtime and the C generator, so both use the same arena size.
// What it is not: a heap; nothing is allocated after the plan is made.

/// One buffer to place: its size and the steps during which it must stay intact.
public struct BufferRequest: Sendable, Equatable {
    public var size: Int
    public var firstStep: Int
    public var lastStep: Int

    public init(size: Int, firstStep: Int, lastStep: Int) {
        self.size = size
        self.firstStep = firstStep
        self.lastStep = lastStep
    }

    func overlapsInTime(_ other: BufferRequest) -> Bool {
        firstStep <= other.lastStep && other.firstStep <= lastStep
    }
}

/// Offsets of the requested buffers and the arena size they need.
public struct MemoryPlan: Sendable, Equatable {
    public static let alignment = 16
    /// Byte offset of each request, same order as the requests.
    public var offsets: [Int]
    /// Bytes the arena needs.
    public var arenaSize: Int

    public init(_ requests: [BufferRequest]) {
        let order = requests.indices.sorted { (requests[$0].size, -$0) > (requests[$1].size, -$1) }
        var offsets = [Int](repeating: 0, count: requests.count)
        var placed: [Int] = []
        var arenaSize = 0
        for index in order {
            let request = requests[index]
            // Intervals taken by buffers alive at the same time, sorted by offset.
            let taken = placed.filter { requests[$0].overlapsInTime(request) }
                .map { (start: offsets[$0], end: offsets[$0] + requests[$0].size) }
                .sorted { $0.start < $1.start }
            var candidate = 0
            for interval in taken {
                if candidate + request.size <= interval.start { break }
                candidate = max(candidate, MemoryPlan.align(interval.end))
            }
            offsets[index] = candidate
            placed.append(index)
            arenaSize = max(arenaSize, candidate + request.size)
        }
        self.offsets = offsets
        self.arenaSize = MemoryPlan.align(arenaSize)
    }

    static func align(_ value: Int) -> Int { (value + alignment - 1) / alignment * alignment }
}
