// Model: a sequential network built from an `Architecture`, plus what is needed to use it
// (class labels and input preprocessing). Training, checkpoints and the int8 quantiser all
// work through this type.
//
// ## Public API for walking a trained model (used by the Int8 quantiser)
//
// - `model.architecture` — the model as data (`Architecture`: name, task, input H/W/C,
//   classes, `[LayerSpec]`); `model.layers[i].spec == model.architecture.layers[i]`.
// - `model.layers` — `[any Layer]` in execution order. Downcast to read weights:
//   - `Conv2d`: `weight` `(KH, KW, Cin, Cout)` **HWIO**, `bias` `(Cout)` or nil,
//     `stride`, `padding` (`.same` = TensorFlow SAME, `.valid`), `kernelSize` (square).
//     TFLite CONV_2D wants OHWI: transpose `[o][ky][kx][i] = w[ky][kx][i][o]`.
//   - `DepthwiseConv2d`: `weight` `(KH, KW, C)` (TFLite's `(1, KH, KW, C)`), `bias` `(C)`.
//   - `Linear`: `weight` `(in, out)`, `bias` `(out)`. TFLite FULLY_CONNECTED wants `(out, in)`.
//   - `BatchNorm`: `gamma`, `beta`, `runningMean`, `runningVariance` `(C)`, `epsilon`;
//     evaluation output = `gamma · (x − runningMean) / sqrt(runningVariance + epsilon) + beta`.
//     Fold into the preceding conv: `w' = w · s`, `b' = (b − mean) · s + beta` with
//     `s = gamma / sqrt(var + eps)` per output channel.
//   - `ReLU`, `ReLU6`, `MaxPool2d` (`size`, `stride`, `padding`), `AvgPool2d`,
//     `GlobalAvgPool` (→ `(N, C)`), `Flatten` (NHWC order, so it matches TFLite RESHAPE),
//     `Dropout` (identity at inference), `Softmax`.
//   Every `Parameter` has `name`, `shape` and row-major `value: [Float]`.
// - The model ends in **logits**; `predict` applies softmax (classification: over classes,
//   detection: per cell). An exported model should append a softmax.
// - `model.forward(batch, training: false)` — float forward on `(N, H, W, C)` input that is
//   already preprocessed (see `preprocessing`); `model.activations(batch)` returns every
//   layer's output in order (for calibration ranges).
// - `model.preprocessing` — input colour, resize mode and `(pixel / 255 − mean) / std`.
// - `model.labels` — class names, index = output channel (detection: index 0 is background).
import Imaging

/// How raw 8-bit pixels become model input.
public struct Preprocessing: Codable, Sendable, Equatable {
    public var color: ColorMode
    public var resizeMode: ResizeMode
    /// Per-channel mean and standard deviation applied after scaling pixels to [0, 1].
    public var mean: [Float]
    public var std: [Float]

    public init(color: ColorMode, resizeMode: ResizeMode = .squash, mean: [Float]? = nil, std: [Float]? = nil) {
        self.color = color
        self.resizeMode = resizeMode
        self.mean = mean ?? [Float](repeating: 0, count: color.channels)
        self.std = std ?? [Float](repeating: 1, count: color.channels)
    }

    /// Converts interleaved 8-bit pixels to normalised floats.
    public func normalize(_ pixels: [UInt8]) -> [Float] {
        let c = color.channels
        return pixels.enumerated().map { index, value in (Float(value) / 255 - mean[index % c]) / std[index % c] }
    }
}

/// A sequential network with its labels and preprocessing.
public final class Model {
    public let architecture: Architecture
    /// Layers in execution order (see the file header for their weight layouts).
    public let layers: [any Layer]
    /// Class names; index = output channel.
    public var labels: [String]
    public var preprocessing: Preprocessing
    /// Indices of ReLU layers folded into the preceding Conv2d.
    private let fusedAway: Set<Int>
    /// Indices of ReLU6 layers folded into the preceding BatchNorm in training.
    private let fusedAwayInTraining: Set<Int>
    /// Indices of BatchNorm layers (+ ReLU6) that the DepthwiseConv2d two layers on applies
    /// to its input in training, when its kernels can (`takesNormalizedInput`).
    private let normalizedInDepthwise: Set<Int>

    /// Builds the layers of `architecture` with weights initialised from `seed`.
    public init(
        architecture: Architecture, seed: UInt64 = 0, labels: [String]? = nil, preprocessing: Preprocessing? = nil
    ) {
        self.architecture = architecture
        var rng = SeededRandom(seed: seed)
        var shape = architecture.inputShape(batch: 1)
        var built: [any Layer] = []
        for spec in architecture.layers {
            let layer = Model.makeLayer(spec, inputShape: shape, rng: &rng)
            shape = layer.outputShape(for: shape)
            built.append(layer)
        }
        built.first?.needsInputGradient = false
        // Fuse Conv2d + ReLU: the conv applies the ReLU in its output pass; the ReLU layer
        // stays in `layers` (it is idempotent) but is skipped when running the model. A max
        // pool right after masks the ReLU's gradient on its smaller output instead.
        var skipped = Set<Int>()
        for index in built.indices.dropLast() {
            if let conv = built[index] as? Conv2d, built[index + 1] is ReLU {
                conv.fusedReLU = true
                skipped.insert(index + 1)
                if index + 2 < built.count, let pool = built[index + 2] as? MaxPool2d {
                    pool.masksNonPositiveOutputs = true
                    conv.gradientArrivesMasked = true
                }
            }
        }
        fusedAway = skipped
        // Fuse BatchNorm + ReLU6 in training: the batch norm clamps its output and masks its
        // gradient. Evaluation runs the ReLU6 layer, so every layer's output stays its own.
        var skippedInTraining = Set<Int>()
        for index in built.indices.dropLast() {
            if let norm = built[index] as? BatchNorm, built[index + 1] is ReLU6 {
                norm.fusedReLU6 = true
                skippedInTraining.insert(index + 1)
            }
        }
        fusedAwayInTraining = skippedInTraining
        // BatchNorm + ReLU6 + DepthwiseConv2d in training: the batch norm only takes its
        // statistics and the depthwise kernels apply its scale, shift and clamp while they
        // copy each image, so the normalised activations are never written out (one pass
        // over them saved, and a tensor less kept for backward).
        normalizedInDepthwise = Set(
            built.indices.dropLast(2).filter { index in
                (built[index] as? BatchNorm)?.fusedReLU6 == true && built[index + 2] is DepthwiseConv2d
            })
        layers = built
        self.labels = labels ?? (0..<architecture.classes).map { "class\($0)" }
        self.preprocessing = preprocessing ?? Preprocessing(color: architecture.inputChannels == 1 ? .grayscale : .rgb)
        _ = Compute.threads
    }

    private static func makeLayer(_ spec: LayerSpec, inputShape: [Int], rng: inout SeededRandom) -> any Layer {
        let channels = inputShape.last ?? 1
        switch spec {
        case let .conv2d(filters, kernel, stride, padding, bias):
            return Conv2d(
                inputChannels: channels, outputChannels: filters, kernelSize: kernel, stride: stride,
                padding: padding, useBias: bias, rng: &rng)
        case let .depthwiseConv2d(kernel, stride, padding, bias):
            return DepthwiseConv2d(
                channels: channels, kernelSize: kernel, stride: stride, padding: padding, useBias: bias, rng: &rng)
        case let .linear(units, bias):
            return Linear(
                inputFeatures: inputShape.dropFirst().reduce(1, *), outputFeatures: units, useBias: bias, rng: &rng)
        case let .batchNorm(momentum, epsilon):
            return BatchNorm(channels: channels, momentum: momentum, epsilon: epsilon)
        case .relu: return ReLU()
        case .relu6: return ReLU6()
        case let .maxPool(size, stride, padding): return MaxPool2d(size: size, stride: stride, padding: padding)
        case let .avgPool(size, stride, padding): return AvgPool2d(size: size, stride: stride, padding: padding)
        case .globalAvgPool: return GlobalAvgPool()
        case let .dropout(rate): return Dropout(rate: rate, rng: rng.split())
        case .flatten: return Flatten()
        case .softmax: return Softmax()
        }
    }

    /// Output shape for a batch of `n`.
    public func outputShape(batch n: Int) -> [Int] {
        layers.reduce(architecture.inputShape(batch: n)) { $1.outputShape(for: $0) }
    }

    /// Trainable parameters of all layers, in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    /// Parameters and buffers (everything a checkpoint stores), in layer order.
    public var state: [Parameter] { layers.flatMap { $0.parameters + $0.buffers } }
    /// Number of trainable values.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Logits for a preprocessed batch `(N, H, W, C)`.
    public func forward(_ input: Tensor, training: Bool = false) -> Tensor {
        var current = input
        var index = 0
        while index < layers.count {
            if training, normalizedInDepthwise.contains(index), let norm = layers[index] as? BatchNorm,
                let depthwise = layers[index + 2] as? DepthwiseConv2d, depthwise.takesNormalizedInput
            {
                let (scale, shift) = norm.prepareTraining(current)
                current = depthwise.forward(current, normalizedBy: scale, shift: shift)
                index += 3
                continue
            }
            if !fusedAway.contains(index) && !(training && fusedAwayInTraining.contains(index)) {
                current = layers[index].forward(current, training: training)
            }
            index += 1
        }
        return current
    }

    /// Back-propagates the gradient of the loss w.r.t. the logits; fills every `Parameter.grad`.
    public func backward(_ dLogits: Tensor) {
        var gradient = dLogits
        for (index, layer) in layers.enumerated().reversed()
        where !fusedAway.contains(index) && !fusedAwayInTraining.contains(index) {
            gradient = layer.backward(gradient)
        }
    }

    /// Every layer's output for a batch, in order (evaluation mode). A Conv2d followed by a
    /// ReLU reports its output after the ReLU (the two are fused, as in TFLite).
    public func activations(_ input: Tensor) -> [Tensor] {
        var current = input
        return layers.map { layer in
            current = layer.forward(current, training: false)
            return current
        }
    }

    /// Class probabilities (softmax of the logits over the last axis), in batches.
    public func predict(_ input: Tensor, batchSize: Int = 256) -> Tensor {
        let n = input.batchSize
        var outputs: [Float] = []
        var outShape = outputShape(batch: n)
        for start in stride(from: 0, to: n, by: batchSize) {
            let logits = forward(input.slice(start..<min(start + batchSize, n)), training: false)
            outputs += softmaxRows(logits, columns: logits.shape.last ?? 1).data
        }
        outShape[0] = n
        return Tensor(shape: outShape, data: outputs)
    }

    /// Reseeds the stochastic layers (dropout) from `seed`.
    public func reseed(_ seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for case let dropout as Dropout in layers { dropout.rng = rng.split() }
    }

    /// A copy of every state value (for keeping the best epoch).
    public func snapshot() -> [[Float]] { state.map(\.value) }

    /// Restores values taken by `snapshot()`.
    public func restore(_ snapshot: [[Float]]) {
        for (parameter, values) in zip(state, snapshot) { parameter.value = values }
    }
}
