// Data-parallel training steps: the batch is split into one slice per core and each core
// runs forward and backward of its own replica of the model with no further splitting
// (one synchronisation per step instead of one per layer), then the gradients are
// averaged, weighted by rows, into the master model. Batch norm therefore normalises each
// slice with its own statistics ("ghost batches"); the same seed and thread count still
// give the same weights.

final class DataParallelStep {
    let master: Model
    /// `replicas[0]` is the master itself.
    let replicas: [Model]

    init(master: Model, workers: Int) {
        self.master = master
        replicas =
            [master]
            + (1..<max(workers, 1)).map { _ in
                Model(
                    architecture: master.architecture, seed: 0, labels: master.labels,
                    preprocessing: master.preprocessing)
            }
    }

    /// Reseeds the replicas' dropout (the master is reseeded by the trainer).
    func reseed(_ rng: inout SeededRandom) {
        for replica in replicas.dropFirst() { replica.reseed(rng.next()) }
    }

    /// Forward, loss and backward over `batch`; leaves the averaged gradients in the master.
    func run(_ batch: Batch, loss: (Tensor, [Int]) -> LossResult) -> LossResult {
        let masterState = master.state
        for replica in replicas.dropFirst() {
            // shared until written
            for (copy, original) in zip(replica.state, masterState) { copy.value = original.value }
        }
        let n = batch.images.batchSize
        let labelsPerImage = batch.labels.count / max(n, 1)
        var results = [LossResult?](repeating: nil, count: replicas.count)
        let replicas = self.replicas
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots.baseAddress!
            Compute.chunks(n) { range, worker in
                Compute.serially {
                    let labels = Array(
                        batch.labels[(range.lowerBound * labelsPerImage)..<(range.upperBound * labelsPerImage)])
                    let model = replicas[worker]
                    let result = loss(model.forward(batch.images.slice(range), training: true), labels)
                    model.backward(result.dLogits)
                    slots[worker] = result
                }
            }
        }
        let finished = results.compactMap { $0 }
        let totalRows = Float(finished.reduce(0) { $0 + $1.rows })
        let weights = finished.map { Float($0.rows) / totalRows }
        let parameterLists = replicas.prefix(finished.count).map(\.parameters)
        for (index, parameter) in parameterLists[0].enumerated() {
            var grad = parameter.grad
            for i in grad.indices { grad[i] *= weights[0] }
            for worker in 1..<finished.count {
                let other = parameterLists[worker][index].grad
                for i in grad.indices { grad[i] += weights[worker] * other[i] }
            }
            parameter.grad = grad
        }
        var combined = finished[0]
        combined.loss = zip(finished, weights).reduce(0) { $0 + $1.0.loss * $1.1 }
        combined.correct = finished.reduce(0) { $0 + $1.correct }
        combined.rows = Int(totalRows)
        return combined
    }
}
