// Linear (Dense): a fully connected layer on (N, in) input, as one sgemm each way.
// Small in the model zoo (the classifier head), so it is not split across cores.

/// Fully connected layer: `output = input · weight + bias`.
/// - weight: `(in, out)` (as Keras's Dense kernel; TFLite's FullyConnected wants `(out, in)`). bias: `(out)`.
public final class Linear: Layer {
    public let inputFeatures: Int
    public let outputFeatures: Int
    /// `(in, out)`.
    public let weight: Parameter
    /// `(out)` or nil.
    public let bias: Parameter?
    public var needsInputGradient = true
    private var input = Tensor(zeros: [0])  // (N, in)

    public init(inputFeatures: Int, outputFeatures: Int, useBias: Bool = true, rng: inout SeededRandom) {
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        weight = Parameter(
            name: "weight", shape: [inputFeatures, outputFeatures],
            value: glorotUniform(
                count: inputFeatures * outputFeatures, fanIn: inputFeatures,
                fanOut: outputFeatures, rng: &rng))
        bias =
            useBias
            ? Parameter(name: "bias", shape: [outputFeatures], value: [Float](repeating: 0, count: outputFeatures))
            : nil
    }

    public var spec: LayerSpec { .linear(units: outputFeatures, bias: bias != nil) }
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }
    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape[0], outputFeatures] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.batchSize
        precondition(
            input.itemCount == inputFeatures, "Linear expects \(inputFeatures) features, got \(input.itemCount)")
        var output = Tensor(uninitialized: [n, outputFeatures])  // (N, out)
        let (i, o) = (inputFeatures, outputFeatures)
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wt in
                output.data.withUnsafeMutableBufferPointer { y in
                    gemm(
                        m: n, n: o, k: i, a: x.baseAddress!, lda: i, b: wt.baseAddress!, ldb: o, c: y.baseAddress!,
                        ldc: o)
                    if let bias { addRowVector(bias.value, to: y.baseAddress!, rows: n) }
                }
            }
        }
        if training { self.input = input }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let n = dOutput.batchSize
        let (i, o) = (inputFeatures, outputFeatures)
        var dWeight = [Float](repeating: 0, count: i * o)  // (in, out)
        var dBias = [Float](repeating: 0, count: o)
        var dInput = Tensor(uninitialized: needsInputGradient ? [n, i] : [0])
        let wantInput = needsInputGradient
        input.data.withUnsafeBufferPointer { x in
            dOutput.data.withUnsafeBufferPointer { dy in
                weight.value.withUnsafeBufferPointer { wt in
                    dWeight.withUnsafeMutableBufferPointer { dW in
                        gemm(
                            transposeA: true, m: i, n: o, k: n, a: x.baseAddress!, lda: i, b: dy.baseAddress!, ldb: o,
                            c: dW.baseAddress!, ldc: o)
                    }
                    dBias.withUnsafeMutableBufferPointer { dB in
                        sumRows(dy.baseAddress!, rows: n, columns: o, into: dB.baseAddress!)
                    }
                    if wantInput {
                        dInput.data.withUnsafeMutableBufferPointer { dx in
                            gemm(
                                transposeB: true, m: n, n: i, k: o, a: dy.baseAddress!, lda: o, b: wt.baseAddress!,
                                ldb: o,
                                c: dx.baseAddress!, ldc: i)
                        }
                    }
                }
            }
        }
        weight.grad = dWeight
        bias?.grad = dBias
        return dInput
    }
}
