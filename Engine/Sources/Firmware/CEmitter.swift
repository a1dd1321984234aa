// CEmitter: turns prepared kernels into C constant definitions and kernel calls, tracking
// which kernels the model needs so only those are emitted.

import Int8Inference

struct CEmitter {
    let name: String
    var constants: [String] = []
    private var used: Set<String> = []

    init(name: String) { self.name = name }

    func kernelSource() -> String {
        var parts = [CKernels.fixedPoint]
        if used.contains("conv") || used.contains("depthwise") || used.contains("convpool") {
            parts.append(CKernels.convParameters)
        }
        if used.contains("conv") || used.contains("convpool") { parts.append(CKernels.convAt) }
        if used.contains("conv") { parts.append(CKernels.conv2d) }
        if used.contains("depthwise") { parts.append(CKernels.depthwiseConv2d) }
        if used.contains("fc") { parts.append(CKernels.fullyConnected) }
        if used.contains("pool") || used.contains("convpool") { parts.append(CKernels.poolParameters) }
        if used.contains("pool") { parts.append(CKernels.pooling) }
        if used.contains("convpool") { parts.append(CKernels.convMaxPool) }
        if used.contains("mean") { parts.append(CKernels.mean) }
        if used.contains("softmax") { parts.append(CKernels.softmax) }
        return parts.joined()
    }

    mutating func array<T: BinaryInteger>(_ label: String, _ type: String, _ values: [T]) -> String {
        let symbol = "\(name)_\(label)"
        var lines: [String] = []
        for start in stride(from: 0, to: values.count, by: 16) {
            lines.append(
                "    " + values[start..<min(start + 16, values.count)].map { "\($0)" }.joined(separator: ", ") + ",")
        }
        constants.append(
            "static const \(type) \(symbol)[\(max(1, values.count))] = {\n\(values.isEmpty ? "    0" : lines.joined(separator: "\n"))\n};"
        )
        return symbol
    }

    mutating func convParams(_ label: String, _ p: ConvParameters) -> String {
        let multiplier = array("\(label)_multiplier", "int32_t", p.multipliers)
        let shift = array("\(label)_shift", "int32_t", p.shifts.map(Int32.init))
        let symbol = "\(name)_\(label)_params"
        let fields =
            [
                p.batches, p.inputHeight, p.inputWidth, p.inputChannels, p.outputHeight, p.outputWidth,
                p.outputChannels,
                p.filterHeight, p.filterWidth, p.strideHeight, p.strideWidth, p.dilationHeight, p.dilationWidth,
                p.padTop, p.padLeft,
            ]
            .map(String.init) + [p.inputOffset, p.outputOffset, p.activationMin, p.activationMax].map { "\($0)" }
        constants.append(
            "static const mn_conv_params \(symbol) = {\(fields.joined(separator: ", ")), \(multiplier), \(shift)};")
        return symbol
    }

    mutating func poolParams(_ label: String, _ p: PoolParameters) -> String {
        let fields =
            [
                p.batches, p.channels, p.inputHeight, p.inputWidth, p.outputHeight, p.outputWidth, p.filterHeight,
                p.filterWidth,
                p.strideHeight, p.strideWidth, p.padTop, p.padLeft,
            ].map(String.init) + ["\(p.activationMin)", "\(p.activationMax)"]
        constants.append("static const mn_pool_params \(name)_\(label)_params = {\(fields.joined(separator: ", "))};")
        return "\(name)_\(label)_params"
    }

    /// A CONV_2D whose output only feeds the following MAX_POOL_2D, as one fused call.
    mutating func fusedConvMaxPool(
        _ conv: PreparedKernel, _ pool: PoolParameters, index: Int, input: String, output: String
    ) -> String {
        guard case let .conv2d(p, filter, _, _, bias) = conv else {
            preconditionFailure("fusedConvMaxPool: not a convolution")
        }
        used.insert("convpool")
        let label = "op\(index)"
        let params = convParams(label, p)
        let w = array("\(label)_filter", "int8_t", filter)
        let b = bias.map { array("\(label)_bias", "int32_t", $0) } ?? "0"
        let q = poolParams("op\(index + 1)", pool)
        return "mn_conv2d_maxpool(&\(params), &\(q), \(input), \(w), \(b), \(output));"
    }

    mutating func call(
        _ kernel: PreparedKernel, index: Int, input: String, output: String, scratch: String?
    ) throws -> String {
        let label = "op\(index)"
        switch kernel {
        case let .conv2d(p, filter, _, _, bias):
            used.insert("conv")
            let params = convParams(label, p)
            let w = array("\(label)_filter", "int8_t", filter)
            let b = bias.map { array("\(label)_bias", "int32_t", $0) } ?? "0"
            return "mn_conv2d(&\(params), \(input), \(w), \(b), \(output));"
        case let .depthwiseConv2d(p, filter, bias):
            used.insert("depthwise")
            let params = convParams(label, p)
            let w = array("\(label)_filter", "int8_t", filter)
            let b = bias.map { array("\(label)_bias", "int32_t", $0) } ?? "0"
            return "mn_depthwise_conv2d(&\(params), \(p.depthMultiplier), \(input), \(w), \(b), \(output));"
        case let .fullyConnected(p, weights, _, bias):
            used.insert("fc")
            let multiplier = array("\(label)_multiplier", "int32_t", p.multipliers)
            let shift = array("\(label)_shift", "int32_t", p.shifts.map(Int32.init))
            let w = array("\(label)_weights", "int8_t", weights)
            let b = bias.map { array("\(label)_bias", "int32_t", $0) } ?? "0"
            let fields =
                [p.batches, p.inputDepth, p.outputDepth, p.multipliers.count > 1 ? 1 : 0].map(String.init)
                + [p.inputOffset, p.weightOffset, p.outputOffset, p.activationMin, p.activationMax].map { "\($0)" }
            constants.append(
                "static const mn_fc_params \(name)_\(label)_params = {\(fields.joined(separator: ", ")), \(multiplier), \(shift)};"
            )
            return "mn_fully_connected(&\(name)_\(label)_params, \(input), \(w), \(b), \(output));"
        case let .maxPool2d(p), let .averagePool2d(p):
            used.insert("pool")
            let params = poolParams(label, p)
            let average = if case .averagePool2d = kernel { 1 } else { 0 }
            return "mn_pool(&\(params), \(average), \(input), \(output));"
        case let .mean(p):
            used.insert("mean")
            guard let firstAxis = p.axes.first, p.axes == Array(firstAxis..<(firstAxis + p.axes.count)), let scratch
            else {
                throw CGeneratorError.unsupported("MEAN over non-adjacent axes \(p.axes)")
            }
            let outer = p.inputShape[..<firstAxis].reduce(1, *),
                inner = p.inputShape[(firstAxis + p.axes.count)...].reduce(1, *)
            return
                "mn_mean(\(input), \(outer), \(p.reducedCount), \(inner), \(p.inputZeroPoint), \(p.multiplier), \(p.shift), \(p.outputZeroPoint), \(scratch), \(output));"
        case let .copy(bytes):
            return "for (i = 0; i < \(bytes); ++i) (\(output))[i] = (\(input))[i];"
        case let .softmax(p):
            used.insert("softmax")
            return
                "mn_softmax(\(input), \(p.rows), \(p.depth), \(p.inputMultiplier), \(p.inputLeftShift), \(p.diffMin), \(output));"
        case .quantize, .requantize, .dequantize:
            throw CGeneratorError.unsupported(
                "QUANTIZE/DEQUANTIZE inside the graph (export models with int8 input and output)")
        }
    }

    func labelsDefinition(_ labels: [String]) -> String {
        let escaped = labels.map {
            "\""
                + $0.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 ? String($0) : "?" }
                .joined() + "\""
        }
        return
            "const char *const \(name)_labels[\(max(1, labels.count))] = {\(labels.isEmpty ? "0" : escaped.joined(separator: ", "))};"
    }
}
