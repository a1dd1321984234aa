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
        let result = mapElements(input) { $0.replacing(with: 0, where: $0 .< 0) }
        if training { output = result }
        return result
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        maskElements(dOutput, by: output) { $0 .> 0 }
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
        let result = mapElements(input) { $0.replacing(with: 0, where: $0 .< 0).replacing(with: 6, where: $0 .> 6) }
        if training { output = result }
        return result
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        maskElements(dOutput, by: output) { ($0 .> 0) .& ($0 .< 6) }
    }
}

/// `f` applied to every element (8 lanes at a time), into a new tensor, in parallel chunks.
@inline(__always)
func mapElements(_ input: Tensor, _ f: (SIMD8<Float>) -> SIMD8<Float>) -> Tensor {
    var result = Tensor(uninitialized: input.shape)
    let count = input.count
    input.data.withUnsafeBufferPointer { x in
        result.data.withUnsafeMutableBufferPointer { y in
            let x = UnsafeRawPointer(x.baseAddress!), y = UnsafeMutableRawPointer(y.baseAddress!)
            Compute.chunks((count + 7) / 8, minimumPerChunk: 1 << 12) { blocks, _ in
                for block in blocks {
                    let lanes = min(8, count - block * 8)
                    if lanes == 8 {
                        y.storeBytes(
                            of: f(x.loadUnaligned(fromByteOffset: block * 32, as: SIMD8<Float>.self)),
                            toByteOffset: block * 32, as: SIMD8<Float>.self)
                    } else {
                        var v = SIMD8<Float>(repeating: 0)
                        for lane in 0..<lanes {
                            v[lane] = x.load(fromByteOffset: (block * 8 + lane) * 4, as: Float.self)
                        }
                        let r = f(v)
                        for lane in 0..<lanes {
                            y.storeBytes(of: r[lane], toByteOffset: (block * 8 + lane) * 4, as: Float.self)
                        }
                    }
                }
            }
        }
    }
    return result
}

/// `gradient` where `keep(reference)` holds, 0 elsewhere (8 lanes at a time, branch-free),
/// into a new tensor, in parallel chunks.
@inline(__always)
func maskElements(_ gradient: Tensor, by reference: Tensor, _ keep: (SIMD8<Float>) -> SIMDMask<SIMD8<Int32>>) -> Tensor
{
    var result = Tensor(uninitialized: gradient.shape)
    let count = gradient.count
    gradient.data.withUnsafeBufferPointer { dy in
        reference.data.withUnsafeBufferPointer { y in
            result.data.withUnsafeMutableBufferPointer { dx in
                let dy = UnsafeRawPointer(dy.baseAddress!), y = UnsafeRawPointer(y.baseAddress!)
                let dx = UnsafeMutableRawPointer(dx.baseAddress!)
                Compute.chunks((count + 7) / 8, minimumPerChunk: 1 << 12) { blocks, _ in
                    for block in blocks {
                        let lanes = min(8, count - block * 8)
                        if lanes == 8 {
                            let g = dy.loadUnaligned(fromByteOffset: block * 32, as: SIMD8<Float>.self)
                            let v = y.loadUnaligned(fromByteOffset: block * 32, as: SIMD8<Float>.self)
                            dx.storeBytes(
                                of: SIMD8(repeating: 0).replacing(with: g, where: keep(v)),
                                toByteOffset: block * 32, as: SIMD8<Float>.self)
                        } else {
                            for lane in 0..<lanes {
                                let offset = (block * 8 + lane) * 4
                                let v = y.load(fromByteOffset: offset, as: Float.self)
                                let keepIt = keep(SIMD8(repeating: v))[0]
                                dx.storeBytes(
                                    of: keepIt ? dy.load(fromByteOffset: offset, as: Float.self) : 0,
                                    toByteOffset: offset, as: Float.self)
                            }
                        }
                    }
                }
            }
        }
    }
    return result
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
