// DEPTHWISE_CONV_2D, int8 with per-channel weights (TFLite Micro's `DepthwiseConvPerChannel`).
//
// Reference kernel: plain loops, taps outside the image skipped. Input `(N, H, W, C)`,
// filter `(1, KH, KW, C·M)`, bias `(C·M)` int32, output `(N, OH, OW, C·M)`.
// The fast variant (depth multiplier 1) accumulates channel-innermost and is tested equal.

/// Reference per-channel int8 depthwise convolution.
public func depthwiseConv2dReference(
    _ p: ConvParameters, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
    bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>
) {
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
                                let x = Int32(
                                    input[((b * p.inputHeight + inY) * p.inputWidth + inX) * p.inputChannels + ic])
                                let f = Int32(filter[(fy * p.filterWidth + fx) * outputDepth + oc])
                                acc &+= f &* (x &+ p.inputOffset)
                            }
                        }
                        if let bias { acc &+= bias[oc] }
                        acc = multiplyByQuantizedMultiplier(acc, p.multipliers[oc], p.shifts[oc])
                        acc &+= p.outputOffset
                        acc = min(max(acc, p.activationMin), p.activationMax)
                        output[((b * p.outputHeight + outY) * p.outputWidth + outX) * outputDepth + oc] = Int8(
                            truncatingIfNeeded: acc)
                    }
                }
            }
        }
    }
}

/// Fast depthwise convolution for depth multiplier 1: for eight adjacent channels at a time,
/// accumulates the valid taps in registers and requantises the eight together; leftover
/// channels one by one. `(x + inputOffset)` is within ±255 and filters within ±128, so each
/// product is exact in int16 (one `pmullw` for eight channels) before it is widened and added
/// in int32. Integer sums in another order are identical, so it equals the reference bit for
/// bit (tested). Inlined into each caller so that `Int8KernelsAVX2` compiles it for AVX2.
@inlinable @inline(__always)
public func depthwiseConv2dFast(
    _ p: ConvParameters, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
    bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>
) {
    precondition(p.depthMultiplier == 1, "depthwiseConv2dFast: depth multiplier must be 1")
    let c = p.outputChannels
    let offset = SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: p.inputOffset))
    p.withRequantizer { requantizer in
        for b in 0..<p.batches {
            let image = input + b * p.inputHeight * p.inputWidth * c
            for outY in 0..<p.outputHeight {
                let inYOrigin = outY * p.strideHeight - p.padTop
                let fyRange = validTaps(
                    origin: inYOrigin, dilation: p.dilationHeight, taps: p.filterHeight, size: p.inputHeight)
                for outX in 0..<p.outputWidth {
                    let inXOrigin = outX * p.strideWidth - p.padLeft
                    let fxRange = validTaps(
                        origin: inXOrigin, dilation: p.dilationWidth, taps: p.filterWidth, size: p.inputWidth)
                    let out = output + ((b * p.outputHeight + outY) * p.outputWidth + outX) * c
                    var channel = 0
                    while channel + 8 <= c {
                        var sum = bias.map { load($0 + channel) } ?? SIMD8<Int32>()
                        for fy in fyRange {
                            let row =
                                image + ((inYOrigin + p.dilationHeight * fy) * p.inputWidth + inXOrigin) * c + channel
                            let filterRow = filter + fy * p.filterWidth * c + channel
                            for fx in fxRange {
                                let x: SIMD8<Int16> = widened(
                                    UnsafeRawPointer(row + p.dilationWidth * fx * c).loadUnaligned(as: SIMD8<Int8>.self)
                                )
                                let f: SIMD8<Int16> = widened(
                                    UnsafeRawPointer(filterRow + fx * c).loadUnaligned(as: SIMD8<Int8>.self))
                                sum &+= widened(f &* (x &+ offset))
                            }
                        }
                        store(requantizer.eight(sum, channel: channel), out + channel)
                        channel += 8
                    }
                    while channel < c {
                        var sum = bias?[channel] ?? 0
                        for fy in fyRange {
                            for fx in fxRange {
                                let x = image[
                                    ((inYOrigin + p.dilationHeight * fy) * p.inputWidth + inXOrigin + p.dilationWidth
                                        * fx) * c + channel]
                                sum &+=
                                    Int32(filter[(fy * p.filterWidth + fx) * c + channel])
                                    &* (Int32(x) &+ p.inputOffset)
                            }
                        }
                        out[channel] = requantizer.one(sum, channel: channel)
                        channel += 1
                    }
                }
            }
        }
    }
}

/// The filter taps `t` in `0..<taps` whose input position `origin + dilation·t` is inside `0..<size`.
@inlinable @inline(__always)
func validTaps(origin: Int, dilation: Int, taps: Int, size: Int) -> Range<Int> {
    let first = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation
    let last = size - 1 - origin < 0 ? -1 : min(taps - 1, (size - 1 - origin) / dilation)
    return first..<max(first, last + 1)
}
