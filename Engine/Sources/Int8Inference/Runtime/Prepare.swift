// Validation of one operator and precomputation of its kernel parameters, done once when
// a model is prepared. Every check that the inner loops skip happens here, with an error
// message that names the operator and the tensor.

extension Int8Model {
    func tensor(_ index: Int, of node: Node, _ role: String) throws -> TensorInfo {
        guard index >= 0, index < tensors.count else {
            throw Int8ModelError.invalid("\(node.op.name): \(role) tensor index \(index) out of range")
        }
        return tensors[index]
    }

    func int8Quantization(_ tensor: TensorInfo, _ op: String) throws -> Quantization {
        guard tensor.type == .int8 else {
            throw Int8ModelError.unsupported("\(op): tensor '\(tensor.name)' is \(tensor.type.rawValue), expected int8")
        }
        guard let q = tensor.quantization, !q.scales.isEmpty, q.scales.count == q.zeroPoints.count else {
            throw Int8ModelError.unsupported("\(op): tensor '\(tensor.name)' has no quantisation parameters")
        }
        return q
    }

    func int8Constant(_ tensor: TensorInfo, _ op: String) throws -> [Int8] {
        guard case let .int8(values)? = tensor.constant, values.count == tensor.elementCount else {
            throw Int8ModelError.invalid("\(op): weights '\(tensor.name)' must be a constant int8 tensor")
        }
        return values
    }

    func biasConstant(_ index: Int, count: Int, _ node: Node) throws -> [Int32]? {
        guard index >= 0 else { return nil }
        let tensor = try self.tensor(index, of: node, "bias")
        guard case let .int32(values)? = tensor.constant, values.count == count else {
            throw Int8ModelError.unsupported(
                "\(node.op.name): bias '\(tensor.name)' must be a constant int32 tensor of \(count) values")
        }
        return values
    }

    /// Validates `node` and precomputes its kernel.
    func prepare(_ node: Node) throws -> PreparedKernel {
        let name = node.op.name
        guard !node.inputs.isEmpty, node.outputs.count == 1 else {
            throw Int8ModelError.invalid("\(name): expects inputs and one output")
        }
        let input = try tensor(node.inputs[0], of: node, "input")
        let output = try tensor(node.outputs[0], of: node, "output")
        switch node.op {
        case let .conv2d(window), let .depthwiseConv2d(window, _):
            return try prepareConvolution(node, window: window, input: input, output: output)
        case let .fullyConnected(activation):
            let inQ = try int8Quantization(input, name), outQ = try int8Quantization(output, name)
            let weightsTensor = try tensor(node.inputs[1], of: node, "weights")
            let wQ = try int8Quantization(weightsTensor, name)
            let weights = try int8Constant(weightsTensor, name)
            guard weightsTensor.shape.count == 2 else {
                throw Int8ModelError.invalid("\(name): weights must be (out, in)")
            }
            let (units, depth) = (weightsTensor.shape[0], weightsTensor.shape[1])
            guard input.elementCount % depth == 0, output.elementCount == input.elementCount / depth * units else {
                throw Int8ModelError.invalid(
                    "\(name): input \(input.shape) does not match weights \(weightsTensor.shape) and output \(output.shape)"
                )
            }
            guard wQ.scales.count == 1 || wQ.scales.count == units else {
                throw Int8ModelError.unsupported("\(name): weight scales")
            }
            let bias = try biasConstant(node.inputs.count > 2 ? node.inputs[2] : -1, count: units, node)
            let multipliers = wQ.scales.map { QuantizedMultiplier(Double(inQ.scale) * Double($0) / Double(outQ.scale)) }
            let range = activationRange(activation, scale: outQ.scale, zeroPoint: outQ.zeroPoint)
            let p = FullyConnectedParameters(
                batches: input.elementCount / depth, inputDepth: depth, outputDepth: units,
                inputOffset: -inQ.zeroPoint, weightOffset: -wQ.zeroPoint, outputOffset: outQ.zeroPoint,
                activationMin: range.min, activationMax: range.max,
                multipliers: multipliers.map(\.multiplier), shifts: multipliers.map(\.shift))
            return .fullyConnected(
                p, weights: weights, weightSum: filterSums(weights, outputChannels: units), bias: bias)
        case let .maxPool2d(window), let .averagePool2d(window):
            let inQ = try int8Quantization(input, name), outQ = try int8Quantization(output, name)
            guard input.shape.count == 4, output.shape.count == 4, input.shape[3] == output.shape[3] else {
                throw Int8ModelError.invalid("\(name): expects (N, H, W, C) input and output")
            }
            if case .averagePool2d = node.op, inQ.scale != outQ.scale || inQ.zeroPoint != outQ.zeroPoint {
                throw Int8ModelError.unsupported("\(name): input and output quantisation must match")
            }
            let oh = convOutputSize(
                padding: window.padding, input: input.shape[1], filter: window.filterHeight,
                stride: window.strideHeight, dilation: 1)
            let ow = convOutputSize(
                padding: window.padding, input: input.shape[2], filter: window.filterWidth, stride: window.strideWidth,
                dilation: 1)
            guard oh == output.shape[1], ow == output.shape[2] else {
                throw Int8ModelError.invalid("\(name): output shape \(output.shape) should be \(oh)×\(ow)")
            }
            let range = activationRange(window.activation, scale: outQ.scale, zeroPoint: outQ.zeroPoint)
            let p = PoolParameters(
                batches: input.shape[0], channels: input.shape[3], inputHeight: input.shape[1],
                inputWidth: input.shape[2],
                outputHeight: oh, outputWidth: ow, filterHeight: window.filterHeight, filterWidth: window.filterWidth,
                strideHeight: window.strideHeight, strideWidth: window.strideWidth,
                padTop: convPadding(
                    input: input.shape[1], filter: window.filterHeight, stride: window.strideHeight, dilation: 1,
                    output: oh),
                padLeft: convPadding(
                    input: input.shape[2], filter: window.filterWidth, stride: window.strideWidth, dilation: 1,
                    output: ow),
                activationMin: range.min, activationMax: range.max)
            if case .maxPool2d = node.op { return .maxPool2d(p) }
            return .averagePool2d(p)
        case .mean:
            let inQ = try int8Quantization(input, name), outQ = try int8Quantization(output, name)
            let axesTensor = try tensor(node.inputs.count > 1 ? node.inputs[1] : -1, of: node, "axes")
            guard case let .int32(axes)? = axesTensor.constant,
                axes.allSatisfy({ -input.shape.count <= $0 && $0 < input.shape.count })
            else {
                throw Int8ModelError.invalid("\(name): axes must be a constant int32 tensor of valid axes")
            }
            let p = MeanParameters(
                inputShape: input.shape, axes: axes.map(Int.init), inputScale: inQ.scale, inputZeroPoint: inQ.zeroPoint,
                outputScale: outQ.scale, outputZeroPoint: outQ.zeroPoint)
            guard p.outputCount == output.elementCount else {
                throw Int8ModelError.invalid("\(name): output shape \(output.shape)")
            }
            return .mean(p)
        case .reshape:
            guard input.byteCount == output.byteCount, input.type == output.type else {
                throw Int8ModelError.invalid("\(name): \(input.shape) cannot become \(output.shape)")
            }
            return .copy(bytes: input.byteCount)
        case let .softmax(beta):
            let inQ = try int8Quantization(input, name), outQ = try int8Quantization(output, name)
            guard outQ.zeroPoint == -128, outQ.scale == 1.0 / 256 else {
                throw Int8ModelError.unsupported("\(name): int8 output must have scale 1/256 and zero point -128")
            }
            guard input.elementCount == output.elementCount, let depth = input.shape.last, depth > 0 else {
                throw Int8ModelError.invalid("\(name): input and output shapes differ")
            }
            return .softmax(
                SoftmaxParameters(rows: input.elementCount / depth, depth: depth, beta: beta, inputScale: inQ.scale))
        case .quantize:
            let outQ = try int8Quantization(output, name)
            guard input.elementCount == output.elementCount else {
                throw Int8ModelError.invalid("\(name): shapes differ")
            }
            if input.type == .float32 {
                return .quantize(count: input.elementCount, scale: outQ.scale, zeroPoint: outQ.zeroPoint)
            }
            let inQ = try int8Quantization(input, name)
            return .requantize(
                count: input.elementCount, inputZeroPoint: inQ.zeroPoint,
                multiplier: QuantizedMultiplier(Double(inQ.scale) / Double(outQ.scale)), outputZeroPoint: outQ.zeroPoint
            )
        case .dequantize:
            let inQ = try int8Quantization(input, name)
            guard output.type == .float32, input.elementCount == output.elementCount else {
                throw Int8ModelError.unsupported("\(name): output must be float32 of the same shape")
            }
            return .dequantize(count: input.elementCount, scale: inQ.scale, zeroPoint: inQ.zeroPoint)
        }
    }
}
