// Folding a trained NeuralNet `Model` into the operators an int8 graph has: batch norm
// folded into the preceding convolution (w' = w·s, b' = (b − mean)·s + beta with
// s = gamma / sqrt(var + eps)), ReLU/ReLU6 fused as activations, dropout dropped, weights
// transposed to TFLite's layouts. Still float: the quantiser quantises what this produces.

import NeuralNet

/// One float operator of the folded model; `layer` is the index of the last model layer it
/// covers (its output is that layer's output, used for calibration).
struct FusedLayer {
    enum Kind {
        /// weight `(O, KH, KW, I)` or depthwise `(1, KH, KW, C)`.
        case conv(weight: [Float], bias: [Float], kernel: Int, stride: Int, padding: PaddingMode, depthwise: Bool)
        /// weight `(O, I)`.
        case dense(weight: [Float], bias: [Float])
        case maxPool(size: Int, stride: Int, padding: PaddingMode)
        case averagePool(size: Int, stride: Int, padding: PaddingMode)
        case globalAveragePool
        case flatten
        case softmax
    }
    var kind: Kind
    var activation: FusedActivation = .none
    var layer: Int
}

extension PaddingMode {
    init(_ padding: Padding) { self = padding == .same ? .same : .valid }
}

enum Folding {
    static func fold(_ model: Model) throws -> [FusedLayer] {
        var fused: [FusedLayer] = []
        let layers = model.layers
        var i = 0
        while i < layers.count {
            let layer = layers[i]
            switch layer {
            case let conv as Conv2d:
                let (kh, cin, cout) = (conv.kernelSize, conv.inputChannels, conv.outputChannels)
                var weight = [Float](repeating: 0, count: conv.weight.value.count)
                for ky in 0..<kh {
                    for kx in 0..<kh {
                        for ci in 0..<cin {
                            for co in 0..<cout {
                                weight[((co * kh + ky) * kh + kx) * cin + ci] =
                                    conv.weight.value[((ky * kh + kx) * cin + ci) * cout + co]
                            }
                        }
                    }
                }
                fused.append(
                    FusedLayer(
                        kind: .conv(
                            weight: weight, bias: conv.bias?.value ?? [Float](repeating: 0, count: cout),
                            kernel: kh, stride: conv.stride, padding: PaddingMode(conv.padding), depthwise: false),
                        layer: i))
            case let conv as DepthwiseConv2d:
                fused.append(
                    FusedLayer(
                        kind: .conv(
                            weight: conv.weight.value,
                            bias: conv.bias?.value ?? [Float](repeating: 0, count: conv.channels),
                            kernel: conv.kernelSize, stride: conv.stride, padding: PaddingMode(conv.padding),
                            depthwise: true), layer: i))
            case let linear as Linear:
                let (inputs, outputs) = (linear.inputFeatures, linear.outputFeatures)
                var weight = [Float](repeating: 0, count: inputs * outputs)
                for o in 0..<outputs {
                    for k in 0..<inputs { weight[o * inputs + k] = linear.weight.value[k * outputs + o] }
                }
                fused.append(
                    FusedLayer(
                        kind: .dense(weight: weight, bias: linear.bias?.value ?? [Float](repeating: 0, count: outputs)),
                        layer: i))
            case let norm as BatchNorm:
                guard let last = fused.indices.last, fused[last].activation == .none, fused[last].layer == i - 1 else {
                    throw Int8ModelError.unsupported(
                        "layer \(i): batch norm must directly follow a convolution or dense layer to be folded")
                }
                fused[last].kind = try fold(norm, into: fused[last].kind)
                fused[last].layer = i
            case is ReLU, is ReLU6:
                guard let last = fused.indices.last, fused[last].activation == .none, fused[last].layer == i - 1,
                    fused[last].isWeighted
                else {
                    throw Int8ModelError.unsupported(
                        "layer \(i): ReLU must follow a convolution or dense layer (or its batch norm) to be fused")
                }
                fused[last].activation = layer is ReLU ? .relu : .relu6
                fused[last].layer = i
            case let pool as MaxPool2d:
                fused.append(
                    FusedLayer(
                        kind: .maxPool(size: pool.size, stride: pool.stride, padding: PaddingMode(pool.padding)),
                        layer: i))
            case let pool as AvgPool2d:
                fused.append(
                    FusedLayer(
                        kind: .averagePool(size: pool.size, stride: pool.stride, padding: PaddingMode(pool.padding)),
                        layer: i))
            case is GlobalAvgPool: fused.append(FusedLayer(kind: .globalAveragePool, layer: i))
            case is Flatten: fused.append(FusedLayer(kind: .flatten, layer: i))
            case is Softmax: fused.append(FusedLayer(kind: .softmax, layer: i))
            case is Dropout:
                // Identity at inference: the previous operator now also covers this layer.
                if let last = fused.indices.last, fused[last].layer == i - 1 { fused[last].layer = i }
            default:
                throw Int8ModelError.unsupported("layer \(i) (\(layer.spec.kind)) has no int8 equivalent")
            }
            i += 1
        }
        return fused
    }

    static func fold(_ norm: BatchNorm, into kind: FusedLayer.Kind) throws -> FusedLayer.Kind {
        let scale = (0..<norm.channels).map { c in
            norm.gamma.value[c] / (norm.runningVariance.value[c] + norm.epsilon).squareRoot()
        }
        func shifted(_ bias: [Float]) -> [Float] {
            (0..<norm.channels).map { c in (bias[c] - norm.runningMean.value[c]) * scale[c] + norm.beta.value[c] }
        }
        switch kind {
        case let .conv(weight, bias, kernel, stride, padding, depthwise):
            var w = weight
            let perChannel = w.count / norm.channels
            for index in w.indices {
                // OHWI: channel-major; depthwise 1HWC: channel is the innermost axis.
                w[index] *= scale[depthwise ? index % norm.channels : index / perChannel]
            }
            return .conv(
                weight: w, bias: shifted(bias), kernel: kernel, stride: stride, padding: padding, depthwise: depthwise)
        case let .dense(weight, bias):
            var w = weight
            let inputs = w.count / norm.channels
            for index in w.indices { w[index] *= scale[index / inputs] }
            return .dense(weight: w, bias: shifted(bias))
        default:
            throw Int8ModelError.unsupported("batch norm after a layer without weights")
        }
    }
}

extension FusedLayer {
    var isWeighted: Bool {
        switch kind {
        case .conv, .dense: true
        default: false
        }
    }
}
