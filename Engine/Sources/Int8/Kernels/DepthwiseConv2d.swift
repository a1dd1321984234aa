// DEPTHWISE_CONV_2D, int8 with per-channel weights (TFLite Micro's `DepthwiseConvPerChannel`).
//
// Reference kernel: plain loops, taps outside the image skipped. Input `(N, H, W, C)`,
// filter `(1, KH, KW, C·M)`, bias `(C·M)` int32, output `(N, OH, OW, C·M)`.
// The fast variant (depth multiplier 1) accumulates channel-innermost and is tested equal.

/// Reference per-channel int8 depthwise convolution.
public func depthwiseConv2dReference(_ p: ConvParameters, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                     bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>) {
    let outputDepth = p.outputChannels
    for b in 0..<p.batches {
        for outY in 0..<p.outputHeight {
            let inYOrigin = outY * p.strideHeight - p.padTop
            for outX in 0..<p.outputWidth {
                let inXOrigin = outX * p.strideWidth - p.padLeft
                for ic in 0..<p.inputChannels {
                    for m in 0..<p.depthMultiplier {
                        let oc = m + ic * p.depthMultiplier
                        var acc: Int32 = 0
                        for fy in 0..<p.filterHeight {
                            let inY = inYOrigin + p.dilationHeight * fy
                            for fx in 0..<p.filterWidth {
                                let inX = inXOrigin + p.dilationWidth * fx
                                guard inX >= 0, inX < p.inputWidth, inY >= 0, inY < p.inputHeight else { continue }
                                let x = Int32(input[((b * p.inputHeight + inY) * p.inputWidth + inX) * p.inputChannels + ic])
                                let f = Int32(filter[(fy * p.filterWidth + fx) * outputDepth + oc])
                                acc &+= f &* (x &+ p.inputOffset)
                            }
                        }
                        if let bias { acc &+= bias[oc] }
                        acc = multiplyByQuantizedMultiplier(acc, p.multipliers[oc], p.shifts[oc])
                        acc &+= p.outputOffset
                        acc = min(max(acc, p.activationMin), p.activationMax)
                        output[((b * p.outputHeight + outY) * p.outputWidth + outX) * outputDepth + oc] = Int8(truncatingIfNeeded: acc)
                    }
                }
            }
        }
    }
}

/// Fast depthwise convolution for depth multiplier 1: channel-innermost accumulation over the
/// valid taps (contiguous in input and filter), then requantisation. Integer sums in another
/// order are identical, so it equals the reference bit for bit (tested).
/// `accumulators` is scratch for `C` int32 values.
public func depthwiseConv2dFast(_ p: ConvParameters, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                bias: UnsafePointer<Int32>?, accumulators acc: UnsafeMutablePointer<Int32>,
                                output: UnsafeMutablePointer<Int8>) {
    precondition(p.depthMultiplier == 1, "depthwiseConv2dFast: depth multiplier must be 1")
    let c = p.outputChannels
    p.multipliers.withUnsafeBufferPointer { multipliers in
    p.shifts.withUnsafeBufferPointer { shifts in
    for b in 0..<p.batches {
        for outY in 0..<p.outputHeight {
            let inYOrigin = outY * p.strideHeight - p.padTop
            for outX in 0..<p.outputWidth {
                let inXOrigin = outX * p.strideWidth - p.padLeft
                for ch in 0..<c { acc[ch] = 0 }
                for fy in 0..<p.filterHeight {
                    let inY = inYOrigin + p.dilationHeight * fy
                    guard inY >= 0, inY < p.inputHeight else { continue }
                    for fx in 0..<p.filterWidth {
                        let inX = inXOrigin + p.dilationWidth * fx
                        guard inX >= 0, inX < p.inputWidth else { continue }
                        let x = input + ((b * p.inputHeight + inY) * p.inputWidth + inX) * c
                        let f = filter + (fy * p.filterWidth + fx) * c
                        for ch in 0..<c { acc[ch] &+= Int32(f[ch]) &* (Int32(x[ch]) &+ p.inputOffset) }
                    }
                }
                let out = output + ((b * p.outputHeight + outY) * p.outputWidth + outX) * c
                for ch in 0..<c {
                    var value = acc[ch]
                    if let bias { value &+= bias[ch] }
                    let shift = Int32(truncatingIfNeeded: shifts[ch])
                    value = requantizeNonNegative(value, multipliers[ch], leftShift: max(shift, 0), rightShift: max(-shift, 0)) &+ p.outputOffset
                    out[ch] = Int8(truncatingIfNeeded: min(max(value, p.activationMin), p.activationMax))
                }
            }
        }
    }
    }
    }
}
