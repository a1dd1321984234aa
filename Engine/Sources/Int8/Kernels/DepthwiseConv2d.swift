// DEPTHWISE_CONV_2D, int8 with per-channel weights (TFLite Micro's `DepthwiseConvPerChannel`).
//
// Reference kernel: plain loops, taps outside the image skipped. Input `(N, H, W, C)`,
// filter `(1, KH, KW, C·M)`, bias `(C·M)` int32, output `(N, OH, OW, C·M)`.
// Not optimised: depthwise layers are a small share of the work in the zoo's models.

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
