// BatchLoader: prepares the next mini-batch (gather + augmentation) on a background
// thread while the current one trains. Every batch is a pure function of the data, its
// indices and a per-batch seed drawn up front, so prefetching never changes results.

import Dispatch
import Synchronization

/// Gathers and augments one batch; pure, so it can run on any thread.
func prepareBatch(
    _ data: LabeledImages, indices: [Int], augmentation: Augmentation?,
    labelGrid: (height: Int, width: Int)?, seed: UInt64
) -> Batch {
    let picked = data.subset(indices)
    var batch = Batch(images: picked.images, labels: picked.labels)
    if let augmentation {
        var rng = SeededRandom(seed: seed)
        augmentation.apply(to: &batch, labelGrid: labelGrid, rng: &rng)
    }
    return batch
}

/// A batch being prepared in the background.
final class PendingBatch: Sendable {
    private let result = Mutex<Batch?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> Batch) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let batch = work()
            result.withLock { $0 = batch }
            ready.signal()
        }
    }

    /// Waits for the batch and returns it.
    func take() -> Batch {
        ready.wait()
        return result.withLock { $0.take()! }
    }
}
