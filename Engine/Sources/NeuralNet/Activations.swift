// Element-wise activations (ReLU, ReLU6) and Softmax over the last axis. ReLU and ReLU6
// keep their output for backward (the gradient mask is where the output is strictly
// inside the linear range).

/// `max(0, x)`.
public final class ReLU: Layer {
    public var needsInputGradient = true
    private var output = Tensor(zeros: [0])
    public init() {}
    public var spec: LayerSpec { .relu }
    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var result = input
        result.data.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] = max(y[i], 0) }
        }
        if training { output = result }
        return result
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        var dInput = dOutput
        output.data.withUnsafeBufferPointer { y in
            dInput.data.withUnsafeMutableBufferPointer { dx in
                for i in 0..<dx.count { dx[i] = y[i] > 0 ? dx[i] : 0 }
            }
        }
        return dInput
    }
}

/// `min(max(0, x), 6)`.
public final class ReLU6: Layer {
    public var needsInputGradient = true
    private var output = Tensor(zeros: [0])
    public init() {}
    public var spec: LayerSpec { .relu6 }
    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var result = input
        result.data.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] = min(max(y[i], 0), 6) }
        }
        if training { output = result }
        return result
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        var dInput = dOutput
        output.data.withUnsafeBufferPointer { y in
            dInput.data.withUnsafeMutableBufferPointer { dx in
                for i in 0..<dx.count { dx[i] = (y[i] > 0 && y[i] < 6) ? dx[i] : 0 }
            }
        }
        return dInput
    }
}

/// Softmax over the last axis: `y_i = exp(x_i − max x) / Σ_j exp(x_j − max x)`.
/// Training models end in logits and use `softmaxCrossEntropy`; this layer is for
/// inference graphs and exported models.
public final class Softmax: Layer {
    public var needsInputGradient = true
    private var output = Tensor(zeros: [0])
    public init() {}
    public var spec: LayerSpec { .softmax }
    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let result = softmaxRows(input, columns: input.shape.last ?? 1)
        if training { output = result }
        return result
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        // dInput_i = y_i · (dy_i − Σ_j dy_j y_j)
        let columns = output.shape.last ?? 1
        var dInput = dOutput
        output.data.withUnsafeBufferPointer { y in
            dInput.data.withUnsafeMutableBufferPointer { dx in
                for row in 0..<(dx.count / columns) {
                    let base = row * columns
                    var dot: Float = 0
                    for j in 0..<columns { dot += dx[base + j] * y[base + j] }
                    for j in 0..<columns { dx[base + j] = y[base + j] * (dx[base + j] - dot) }
                }
            }
        }
        return dInput
    }
}

/// Row-wise softmax of a tensor viewed as `(rows, columns)`.
public func softmaxRows(_ logits: Tensor, columns: Int) -> Tensor {
    var result = logits
    result.data.withUnsafeMutableBufferPointer { y in
        for row in 0..<(y.count / columns) {
            let base = row * columns
            var largest = -Float.infinity
            for j in 0..<columns { largest = max(largest, y[base + j]) }
            var sum: Float = 0
            for j in 0..<columns { let e = expf(y[base + j] - largest); y[base + j] = e; sum += e }
            let scale = 1 / sum
            for j in 0..<columns { y[base + j] *= scale }
        }
    }
    return result
}

import Foundation
