// Post-training int8 quantisation of a trained NeuralNet `Model` (TFLite quantisation spec).
//
// 1. Fold batch norm and fuse ReLU/ReLU6 (FusedLayers.swift).
// 2. Calibrate: run the float model on a representative sample and record each fused
//    operator's output range (min/max over the sample).
// 3. Emit an `Int8Model`: int8 input and output, symmetric weights (per channel for
//    convolutions, per tensor for FULLY_CONNECTED unless asked: see QuantizationOptions), int32 biases,
//    asymmetric per-tensor activations (pooling and reshape keep their input's parameters),
//    and a softmax at scale 1/256, zero point −128 appended after the logits.
// What it is not: quantisation-aware training, or a converter for float graphs from elsewhere.

import NeuralNet

/// Options of post-training quantisation.
public struct QuantizationOptions: Sendable {
    /// How many calibration images to use (from the front of the sample given).
    public var calibrationCount: Int
    /// Images per float forward pass during calibration.
    public var batchSize: Int
    /// Append SOFTMAX after the logits (so the int8 output is probabilities at 1/256).
    public var appendSoftmax: Bool
    /// Quantise FULLY_CONNECTED weights per output channel, as TensorFlow's converter now does.
    /// Off by default: TFLite Micro before September 2024 (including the Arduino library) reads
    /// only the first scale of a per-channel FC weight and silently answers wrong; one scale per
    /// tensor runs the same everywhere. Convolutions are always per channel (every TFLM supports it).
    public var perChannelFullyConnected: Bool

    public init(
        calibrationCount: Int = 500, batchSize: Int = 64, appendSoftmax: Bool = true,
        perChannelFullyConnected: Bool = false
    ) {
        self.calibrationCount = calibrationCount
        self.batchSize = batchSize
        self.appendSoftmax = appendSoftmax
        self.perChannelFullyConnected = perChannelFullyConnected
    }
}

public enum PostTrainingQuantizer {
    /// Quantises `model` using `calibration` images `(N, H, W, C)`, already preprocessed.
    public static func quantize(
        _ model: Model, calibration: Tensor, options: QuantizationOptions = QuantizationOptions()
    ) throws -> Int8Model {
        var fused = try Folding.fold(model)
        if options.appendSoftmax, !fused.contains(where: { if case .softmax = $0.kind { true } else { false } }) {
            fused.append(FusedLayer(kind: .softmax, layer: -1))
        }
        let ranges = calibrate(model, fused: fused, calibration: calibration, options: options)
        var builder = GraphBuilder()
        let arch = model.architecture
        var shape = [1, arch.inputHeight, arch.inputWidth, arch.inputChannels]
        var current = builder.add(
            TensorInfo(
                name: "input", type: .int8, shape: shape,
                quantization: activationQuantization(min: ranges.input.min, max: ranges.input.max)))
        for (index, layer) in fused.enumerated() {
            let name = "op\(index)"
            let inQ = builder.tensors[current].quantization!
            let range = ranges.outputs[index]
            switch layer.kind {
            case let .conv(weight, bias, kernel, stride, padding, depthwise):
                let channels = bias.count
                let (qWeights, wScales) = quantizeWeightsPerChannel(
                    weight, channels: channels, channelMajor: !depthwise)
                let (qBias, bScales) = quantizeBias(bias, inputScale: inQ.scale, weightScales: wScales)
                let filterShape = depthwise ? [1, kernel, kernel, channels] : [channels, kernel, kernel, shape[3]]
                let filter = builder.add(
                    TensorInfo(
                        name: "\(name)/filter", type: .int8, shape: filterShape,
                        quantization: Quantization(
                            scales: wScales, zeroPoints: [Int32](repeating: 0, count: channels),
                            quantizedDimension: depthwise ? 3 : 0), constant: .int8(qWeights)))
                let biasTensor = builder.add(
                    TensorInfo(
                        name: "\(name)/bias", type: .int32, shape: [channels],
                        quantization: Quantization(scales: bScales, zeroPoints: [Int32](repeating: 0, count: channels)),
                        constant: .int32(qBias)))
                let oh = convOutputSize(padding: padding, input: shape[1], filter: kernel, stride: stride, dilation: 1)
                let ow = convOutputSize(padding: padding, input: shape[2], filter: kernel, stride: stride, dilation: 1)
                shape = [1, oh, ow, channels]
                let window = Window(
                    padding: padding, strideHeight: stride, strideWidth: stride, activation: layer.activation)
                current = builder.op(
                    depthwise ? .depthwiseConv2d(window, depthMultiplier: 1) : .conv2d(window),
                    [current, filter, biasTensor],
                    TensorInfo(
                        name: name, type: .int8, shape: shape,
                        quantization: activationQuantization(min: range.min, max: range.max)))
            case let .dense(weight, bias):
                let units = bias.count
                let scaleCount = options.perChannelFullyConnected ? units : 1
                let (qWeights, wScales) = quantizeWeightsPerChannel(weight, channels: scaleCount, channelMajor: true)
                let (qBias, bScales) = quantizeBias(
                    bias, inputScale: inQ.scale,
                    weightScales: options.perChannelFullyConnected
                        ? wScales : [Float](repeating: wScales[0], count: units))
                let weights = builder.add(
                    TensorInfo(
                        name: "\(name)/weights", type: .int8, shape: [units, weight.count / units],
                        quantization: Quantization(
                            scales: wScales, zeroPoints: [Int32](repeating: 0, count: scaleCount)),
                        constant: .int8(qWeights)))
                let biasTensor = builder.add(
                    TensorInfo(
                        name: "\(name)/bias", type: .int32, shape: [units],
                        quantization: Quantization(
                            scales: Array(bScales.prefix(scaleCount)),
                            zeroPoints: [Int32](repeating: 0, count: scaleCount)),
                        constant: .int32(qBias)))
                shape = [1, units]
                current = builder.op(
                    .fullyConnected(layer.activation), [current, weights, biasTensor],
                    TensorInfo(
                        name: name, type: .int8, shape: shape,
                        quantization: activationQuantization(min: range.min, max: range.max)))
            case let .maxPool(size, stride, padding), let .averagePool(size, stride, padding):
                let oh = convOutputSize(padding: padding, input: shape[1], filter: size, stride: stride, dilation: 1)
                let ow = convOutputSize(padding: padding, input: shape[2], filter: size, stride: stride, dilation: 1)
                shape = [1, oh, ow, shape[3]]
                let window = Window(
                    padding: padding, strideHeight: stride, strideWidth: stride, filterHeight: size, filterWidth: size)
                let isMax = if case .maxPool = layer.kind { true } else { false }
                current = builder.op(
                    isMax ? .maxPool2d(window) : .averagePool2d(window), [current],
                    TensorInfo(name: name, type: .int8, shape: shape, quantization: inQ))
            case .globalAveragePool:
                let axes = builder.add(
                    TensorInfo(name: "\(name)/axes", type: .int32, shape: [2], constant: .int32([1, 2])))
                shape = [1, shape[3]]
                current = builder.op(
                    .mean(keepDims: false), [current, axes],
                    TensorInfo(
                        name: name, type: .int8, shape: shape,
                        quantization: activationQuantization(min: range.min, max: range.max)))
            case .flatten:
                let features = shape.dropFirst().reduce(1, *)
                let newShape = builder.add(
                    TensorInfo(name: "\(name)/shape", type: .int32, shape: [2], constant: .int32([1, Int32(features)])))
                shape = [1, features]
                current = builder.op(
                    .reshape, [current, newShape], TensorInfo(name: name, type: .int8, shape: shape, quantization: inQ))
            case .softmax:
                current = builder.op(
                    .softmax(beta: 1), [current],
                    TensorInfo(
                        name: name, type: .int8, shape: shape,
                        quantization: Quantization(scale: 1.0 / 256, zeroPoint: -128)))
            }
        }
        return Int8Model(
            tensors: builder.tensors, nodes: builder.nodes, inputs: [0], outputs: [current],
            labels: model.labels, preprocessing: model.preprocessing,
            description: "Minnow int8 \(arch.name) \(arch.inputWidth)x\(arch.inputHeight)x\(arch.inputChannels)")
    }

    /// Min/max of the input and of every fused operator's float output over the sample.
    static func calibrate(
        _ model: Model, fused: [FusedLayer], calibration: Tensor, options: QuantizationOptions
    )
        -> (input: (min: Float, max: Float), outputs: [(min: Float, max: Float)])
    {
        let count = min(max(1, options.calibrationCount), calibration.batchSize)
        var input = (min: Float.infinity, max: -Float.infinity)
        var outputs = [(min: Float, max: Float)](repeating: (Float.infinity, -Float.infinity), count: fused.count)
        for start in stride(from: 0, to: count, by: max(1, options.batchSize)) {
            let batch = calibration.slice(start..<min(start + options.batchSize, count))
            input = (min(input.min, batch.data.min() ?? 0), max(input.max, batch.data.max() ?? 0))
            let activations = model.activations(batch)
            for (index, layer) in fused.enumerated() where layer.layer >= 0 {
                let values = activations[layer.layer].data
                outputs[index] = (
                    min(outputs[index].min, values.min() ?? 0), max(outputs[index].max, values.max() ?? 0)
                )
            }
        }
        return (input, outputs)
    }
}

/// Accumulates tensors and nodes while the quantiser walks the model.
struct GraphBuilder {
    var tensors: [TensorInfo] = []
    var nodes: [Node] = []

    mutating func add(_ tensor: TensorInfo) -> Int {
        tensors.append(tensor)
        return tensors.count - 1
    }

    mutating func op(_ op: Operator, _ inputs: [Int], _ output: TensorInfo) -> Int {
        let index = add(output)
        nodes.append(Node(op, inputs: inputs, outputs: [index]))
        return index
    }
}
