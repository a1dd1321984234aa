// The run loop's body: dispatches one prepared step to its kernel over arena pointers.

import Int8KernelsAVX2

extension Int8Runtime {
    @inline(__always)
    func execute(_ step: PreparedStep, arena: UnsafeMutableRawPointer) {
        let input = UnsafePointer((arena + step.input).assumingMemoryBound(to: Int8.self))
        let output = (arena + step.output).assumingMemoryBound(to: Int8.self)
        switch step.kernel {
        case let .conv2d(p, filter, filterPairs, channelOffsets, bias):
            if step.kernels == .reference {
                filter.withUnsafeBufferPointer { f in
                    withOptionalPointer(bias) { b in
                        conv2dReference(p, input: input, filter: f.baseAddress!, bias: b, output: output)
                    }
                }
                return
            }
            let patch = (arena + step.scratch).assumingMemoryBound(to: Int16.self)
            let accumulators = (arena + step.scratch + conv2dScratchLayout(p).patchBytes).assumingMemoryBound(
                to: Int32.self)
            filterPairs.withUnsafeBufferPointer { f in
                channelOffsets.withUnsafeBufferPointer { offsets in
                    if step.kernels == .avx2 {
                        AVX2Kernels.conv2d(
                            p, input: input, filterPairs: f.baseAddress!, channelOffsets: offsets.baseAddress!,
                            patch: patch, accumulators: accumulators, output: output)
                    } else {
                        conv2dFast(
                            p, input: input, filterPairs: f.baseAddress!, channelOffsets: offsets.baseAddress!,
                            patch: patch, accumulators: accumulators, output: output)
                    }
                }
            }
        case let .depthwiseConv2d(p, filter, bias):
            filter.withUnsafeBufferPointer { f in
                withOptionalPointer(bias) { b in
                    switch p.depthMultiplier == 1 ? step.kernels : .reference {
                    case .reference:
                        depthwiseConv2dReference(p, input: input, filter: f.baseAddress!, bias: b, output: output)
                    case .avx2:
                        AVX2Kernels.depthwiseConv2d(p, input: input, filter: f.baseAddress!, bias: b, output: output)
                    case .portable:
                        depthwiseConv2dFast(p, input: input, filter: f.baseAddress!, bias: b, output: output)
                    }
                }
            }
        case let .fullyConnected(p, weights, weightSum, bias):
            weights.withUnsafeBufferPointer { w in
                withOptionalPointer(bias) { b in
                    weightSum.withUnsafeBufferPointer { sums in
                        switch step.kernels {
                        case .reference:
                            fullyConnectedReference(p, input: input, weights: w.baseAddress!, bias: b, output: output)
                        case .avx2:
                            AVX2Kernels.fullyConnected(
                                p, input: input, weights: w.baseAddress!, weightSum: sums.baseAddress!, bias: b,
                                output: output)
                        case .portable:
                            fullyConnectedFast(
                                p, input: input, weights: w.baseAddress!, weightSum: sums.baseAddress!, bias: b,
                                output: output)
                        }
                    }
                }
            }
        case let .maxPool2d(p):
            if step.kernels == .reference {
                maxPoolReference(p, input: input, output: output)
            } else {
                maxPoolFast(p, input: input, output: output)
            }
        case let .averagePool2d(p): averagePoolReference(p, input: input, output: output)
        case let .mean(p):
            meanReference(
                p, input: input, sums: (arena + step.scratch).assumingMemoryBound(to: Int32.self), output: output)
        case let .copy(bytes): UnsafeMutableRawPointer(output).copyMemory(from: input, byteCount: bytes)
        case let .softmax(p): softmaxReference(p, input: input, output: output)
        case let .quantize(count, scale, zeroPoint):
            quantizeReference(
                UnsafePointer((arena + step.input).assumingMemoryBound(to: Float.self)), count: count,
                scale: scale, zeroPoint: zeroPoint, output: output)
        case let .requantize(count, inputZeroPoint, multiplier, outputZeroPoint):
            requantizeReference(
                input, count: count, inputZeroPoint: inputZeroPoint, multiplier: multiplier,
                outputZeroPoint: outputZeroPoint, output: output)
        case let .dequantize(count, scale, zeroPoint):
            dequantizeReference(
                input, count: count, scale: scale, zeroPoint: zeroPoint,
                output: (arena + step.output).assumingMemoryBound(to: Float.self))
        }
    }
}

@inline(__always)
private func withOptionalPointer<R>(_ values: [Int32]?, _ body: (UnsafePointer<Int32>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}
