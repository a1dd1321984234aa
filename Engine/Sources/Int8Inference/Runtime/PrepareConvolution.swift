// Validation and parameters of CONV_2D and DEPTHWISE_CONV_2D (per-channel int8 weights,
// int32 bias), following TFLite Micro's `PopulateConvolutionQuantizationParams`.

extension Int8Model {
    func prepareConvolution(
        _ node: Node, window: Window, input: TensorInfo, output: TensorInfo
    ) throws -> PreparedKernel {
        let name = node.op.name
        let inQ = try int8Quantization(input, name), outQ = try int8Quantization(output, name)
        guard node.inputs.count >= 2 else { throw Int8ModelError.invalid("\(name): missing filter") }
        let filterTensor = try tensor(node.inputs[1], of: node, "filter")
        let fQ = try int8Quantization(filterTensor, name)
        let filter = try int8Constant(filterTensor, name)
        guard input.shape.count == 4, output.shape.count == 4, filterTensor.shape.count == 4 else {
            throw Int8ModelError.invalid("\(name): expects rank-4 input, filter and output")
        }
        let depthwise: Bool
        var depthMultiplier = 1
        if case let .depthwiseConv2d(_, multiplier) = node.op {
            depthwise = true
            depthMultiplier = max(1, multiplier)
        } else {
            depthwise = false
        }
        let outputChannels = depthwise ? filterTensor.shape[3] : filterTensor.shape[0]
        let (kh, kw) = (filterTensor.shape[1], filterTensor.shape[2])
        if depthwise {
            depthMultiplier = outputChannels / input.shape[3]
            guard outputChannels == input.shape[3] * depthMultiplier else {
                throw Int8ModelError.invalid("\(name): channel count mismatch")
            }
        } else {
            guard filterTensor.shape[3] == input.shape[3] else {
                throw Int8ModelError.invalid(
                    "\(name): filter \(filterTensor.shape) does not match input \(input.shape)")
            }
        }
        guard fQ.scales.count == 1 || fQ.scales.count == outputChannels, fQ.zeroPoints.allSatisfy({ $0 == 0 }) else {
            throw Int8ModelError.unsupported("\(name): filter must be symmetric int8, per tensor or per output channel")
        }
        let oh = convOutputSize(
            padding: window.padding, input: input.shape[1], filter: kh, stride: window.strideHeight,
            dilation: window.dilationHeight)
        let ow = convOutputSize(
            padding: window.padding, input: input.shape[2], filter: kw, stride: window.strideWidth,
            dilation: window.dilationWidth)
        guard output.shape == [input.shape[0], oh, ow, outputChannels] else {
            throw Int8ModelError.invalid(
                "\(name): output shape \(output.shape) should be \([input.shape[0], oh, ow, outputChannels])")
        }
        let bias = try biasConstant(node.inputs.count > 2 ? node.inputs[2] : -1, count: outputChannels, node)
        let multipliers = (0..<outputChannels).map { c in
            QuantizedMultiplier(
                Double(inQ.scale) * Double(fQ.scales.count == 1 ? fQ.scales[0] : fQ.scales[c]) / Double(outQ.scale))
        }
        let range = activationRange(window.activation, scale: outQ.scale, zeroPoint: outQ.zeroPoint)
        let p = ConvParameters(
            batches: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2],
            inputChannels: input.shape[3],
            outputHeight: oh, outputWidth: ow, outputChannels: outputChannels, filterHeight: kh, filterWidth: kw,
            strideHeight: window.strideHeight, strideWidth: window.strideWidth,
            dilationHeight: window.dilationHeight, dilationWidth: window.dilationWidth,
            padTop: convPadding(
                input: input.shape[1], filter: kh, stride: window.strideHeight, dilation: window.dilationHeight,
                output: oh),
            padLeft: convPadding(
                input: input.shape[2], filter: kw, stride: window.strideWidth, dilation: window.dilationWidth,
                output: ow),
            depthMultiplier: depthMultiplier, inputOffset: -inQ.zeroPoint, outputOffset: outQ.zeroPoint,
            activationMin: range.min, activationMax: range.max,
            multipliers: multipliers.map(\.multiplier), shifts: multipliers.map(\.shift))
        if depthwise { return .depthwiseConv2d(p, filter: filter, bias: bias) }
        return .conv2d(
            p, filter: filter, filterPairs: pairedFilter(filter, outputChannels: outputChannels),
            channelOffsets: conv2dChannelOffsets(
                filter: filter, outputChannels: outputChannels, inputOffset: p.inputOffset, bias: bias),
            bias: bias)
    }
}
