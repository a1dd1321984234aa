// The arena plan never overlaps buffers that are alive at the same step, and is no larger
// than keeping every buffer separately.

import Int8Inference
import Testing

@Suite struct MemoryPlanTests {
    @Test(arguments: 0..<30)
    func liveBuffersNeverOverlap(seed: Int) {
        // setup
        var rng = SystemRandomNumberGenerator()
        let requests = (0..<Int.random(in: 1...12, using: &rng)).map { _ -> BufferRequest in
            let first = Int.random(in: 0...8, using: &rng)
            return BufferRequest(
                size: Int.random(in: 1...5000, using: &rng), firstStep: first,
                lastStep: first + Int.random(in: 0...3, using: &rng))
        }
        // act
        let plan = MemoryPlan(requests)
        // check
        for i in requests.indices {
            #expect(plan.offsets[i] % MemoryPlan.alignment == 0)
            #expect(plan.offsets[i] + requests[i].size <= plan.arenaSize)
            for j in requests.indices where j > i {
                let live =
                    requests[i].firstStep <= requests[j].lastStep && requests[j].firstStep <= requests[i].lastStep
                let disjoint =
                    plan.offsets[i] + requests[i].size <= plan.offsets[j]
                    || plan.offsets[j] + requests[j].size <= plan.offsets[i]
                #expect(!live || disjoint)
            }
        }
        let peak = (0...11).map { step in
            requests.filter { $0.firstStep <= step && step <= $0.lastStep }.reduce(0) { $0 + $1.size }
        }.max()!
        #expect(plan.arenaSize >= peak)
        #expect(plan.arenaSize <= requests.reduce(0) { $0 + (($1.size + 15) / 16 * 16) })
    }
}
