// Losses: softmax cross-entropy on logits (optional class weights and label smoothing) and
// FOMO's per-cell weighted cross-entropy. Each returns the loss and its gradient with
// respect to the logits; they are free functions, not layers.

import Foundation

/// Loss value, its gradient with respect to the logits, and the number of rows whose
/// argmax equals the label.
public struct LossResult: Sendable {
    public var loss: Float
    /// Same shape as the logits.
    public var dLogits: Tensor
    public var correct: Int
    /// Number of labelled rows (images, or cells for FOMO).
    public var rows: Int
}

/// Mean softmax cross-entropy over rows of `logits` viewed as `(rows, classes)`.
///
/// `loss = (1/rows) Σ_r w[y_r] · (−Σ_k t_rk · log softmax(z_r)_k)` with
/// `t = (1 − ε)·onehot(y) + ε / classes`. `dLogits_r = w[y_r] · (softmax(z_r) − t_r) / rows`.
/// - Parameters:
///   - logits: `(N, classes)` or `(N, GH, GW, classes)`.
///   - labels: one class index per row.
///   - classWeights: per-class weights `w` (default all 1).
///   - labelSmoothing: `ε` in [0, 1).
public func softmaxCrossEntropy(
    logits: Tensor, labels: [Int], classWeights: [Float]? = nil,
    labelSmoothing: Float = 0
) -> LossResult {
    let classes = logits.shape.last ?? 1
    let rows = logits.count / classes
    precondition(labels.count == rows, "softmaxCrossEntropy: \(rows) rows but \(labels.count) labels")
    var probabilities = softmaxRows(logits, columns: classes)
    var loss: Double = 0
    var correct = 0
    let off = labelSmoothing / Float(classes)
    let on = 1 - labelSmoothing + off
    let scale = 1 / Float(rows)
    probabilities.data.withUnsafeMutableBufferPointer { p in
        logits.data.withUnsafeBufferPointer { z in
            for row in 0..<rows {
                let base = row * classes
                let label = labels[row]
                let weight = classWeights?[label] ?? 1
                var best = 0
                var rowLoss: Float = 0
                for k in 0..<classes {
                    if z[base + k] > z[base + best] { best = k }
                    let target = k == label ? on : off
                    if target > 0 { rowLoss -= target * logf(max(p[base + k], 1e-30)) }
                    p[base + k] = weight * (p[base + k] - target) * scale
                }
                if best == label { correct += 1 }
                loss += Double(weight * rowLoss)
            }
        }
    }
    return LossResult(loss: Float(loss / Double(rows)), dLogits: probabilities, correct: correct, rows: rows)
}

/// FOMO loss: per-cell softmax cross-entropy where background (class 0) cells weigh 1 and
/// object cells weigh `objectWeight`, so the few object cells are not drowned out.
/// - Parameters:
///   - logits: `(N, GH, GW, classes)`.
///   - cellLabels: `(N, GH, GW)` flattened; 0 = background.
public func fomoCrossEntropy(logits: Tensor, cellLabels: [Int], objectWeight: Float = 100) -> LossResult {
    let classes = logits.shape.last ?? 1
    let weights = [Float(1)] + [Float](repeating: objectWeight, count: max(classes - 1, 0))
    return softmaxCrossEntropy(logits: logits, labels: cellLabels, classWeights: weights)
}
