// CONV_2D, int8 with per-channel weights: the reference kernel and the fast kernel.
//
// Reference: plain loops in TFLite Micro's order (`reference_integer_ops::ConvPerChannel`),
// skipping taps outside the image. Fast: gathers each receptive field once (padding taps
// take the input zero point, so they contribute 0) and uses
// Σ f·(x + offset) = Σ f·x + offset·Σ f, exact in int32, so it matches the reference bit for
// bit (tested). Input `(N, H, W, Cin)`, filter `(Cout, KH, KW, Cin)`, bias `(Cout)` int32.

/// Reference per-channel int8 convolution.
public func conv2dReference(_ p: ConvParameters, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                            bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>) {
    for b in 0..<p.batches {
        for outY in 0..<p.outputHeight {
            let inYOrigin = outY * p.strideHeight - p.padTop
            for outX in 0..<p.outputWidth {
                let inXOrigin = outX * p.strideWidth - p.padLeft
                for oc in 0..<p.outputChannels {
                    var acc: Int32 = 0
                    for fy in 0..<p.filterHeight {
                        let inY = inYOrigin + p.dilationHeight * fy
                        for fx in 0..<p.filterWidth {
                            let inX = inXOrigin + p.dilationWidth * fx
                            guard inX >= 0, inX < p.inputWidth, inY >= 0, inY < p.inputHeight else { continue }
                            for ic in 0..<p.inputChannels {
                                let x = Int32(input[((b * p.inputHeight + inY) * p.inputWidth + inX) * p.inputChannels + ic])
                                let f = Int32(filter[((oc * p.filterHeight + fy) * p.filterWidth + fx) * p.inputChannels + ic])
                                acc &+= f &* (x &+ p.inputOffset)
                            }
                        }
                    }
                    if let bias { acc &+= bias[oc] }
                    acc = multiplyByQuantizedMultiplier(acc, p.multipliers[oc], p.shifts[oc])
                    acc &+= p.outputOffset
                    acc = min(max(acc, p.activationMin), p.activationMax)
                    output[((b * p.outputHeight + outY) * p.outputWidth + outX) * p.outputChannels + oc] = Int8(truncatingIfNeeded: acc)
                }
            }
        }
    }
}

/// Σ a[i]·b[i] over `count` int8 pairs, in int32.
@inline(__always)
func dotProduct(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ count: Int) -> Int32 {
    var sum: Int32 = 0
    for i in 0..<count { sum &+= Int32(a[i]) &* Int32(b[i]) }
    return sum
}

/// Per-output-channel sums of filter values, `(Cout)`; precomputed for `conv2dFast`.
public func filterSums(_ filter: [Int8], outputChannels: Int) -> [Int32] {
    let perChannel = filter.count / outputChannels
    return (0..<outputChannels).map { oc in
        filter[(oc * perChannel)..<((oc + 1) * perChannel)].reduce(Int32(0)) { $0 &+ Int32($1) }
    }
}

/// Widens `count` int8 values to int16.
@inline(__always)
func widen(_ target: UnsafeMutablePointer<Int16>, _ source: UnsafePointer<Int8>, _ count: Int) {
    for i in 0..<count { target[i] = Int16(source[i]) }
}

/// The filter `(Cout, KH, KW, Cin)` transposed to `(KH·KW·Cin, Cout)` int16 for `conv2dFast`.
public func transposedFilter(_ filter: [Int8], outputChannels: Int) -> [Int16] {
    let depth = filter.count / max(outputChannels, 1)
    var result = [Int16](repeating: 0, count: filter.count)
    for oc in 0..<outputChannels { for k in 0..<depth { result[k * outputChannels + oc] = Int16(filter[oc * depth + k]) } }
    return result
}

/// Fast per-channel int8 convolution, vectorised over output channels: for each receptive
/// field value x, `acc[oc] += x · filterT[k][oc]` (int8·int8 products fit int16 exactly).
/// `filterT` is `transposedFilter(filter)`; `patch` holds `KH·KW·Cin` int16 values and
/// `accumulators` `Cout` int32 values of scratch; `filterSum` has `Cout` values.
public func conv2dFast(_ p: ConvParameters, input: UnsafePointer<Int8>, filterT: UnsafePointer<Int16>,
                       filterSum: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                       patch: UnsafeMutablePointer<Int16>, accumulators acc: UnsafeMutablePointer<Int32>,
                       output: UnsafeMutablePointer<Int8>) {
    let cin = p.inputChannels
    let depth = p.filterHeight * p.filterWidth * cin
    let padValue = Int16(truncatingIfNeeded: -p.inputOffset)
    let rowContiguous = p.dilationWidth == 1
    let cout = p.outputChannels
    p.multipliers.withUnsafeBufferPointer { multipliers in
    p.shifts.withUnsafeBufferPointer { shifts in
    for b in 0..<p.batches {
        let image = input + b * p.inputHeight * p.inputWidth * cin
        for outY in 0..<p.outputHeight {
            let inYOrigin = outY * p.strideHeight - p.padTop
            for outX in 0..<p.outputWidth {
                let inXOrigin = outX * p.strideWidth - p.padLeft
                // Gather the receptive field into `patch` (KH, KW, Cin).
                for fy in 0..<p.filterHeight {
                    let inY = inYOrigin + p.dilationHeight * fy
                    let row = patch + fy * p.filterWidth * cin
                    if rowContiguous && inY >= 0 && inY < p.inputHeight && inXOrigin >= 0 && inXOrigin + p.filterWidth <= p.inputWidth {
                        widen(row, image + (inY * p.inputWidth + inXOrigin) * cin, p.filterWidth * cin)
                        continue
                    }
                    for fx in 0..<p.filterWidth {
                        let inX = inXOrigin + p.dilationWidth * fx
                        if inX >= 0, inX < p.inputWidth, inY >= 0, inY < p.inputHeight {
                            widen(row + fx * cin, image + (inY * p.inputWidth + inX) * cin, cin)
                        } else {
                            (row + fx * cin).update(repeating: padValue, count: cin)
                        }
                    }
                }
                var block = 0
                while block + 8 <= cout {
                    // Eight output channels in registers (the compiler packs them into vectors).
                    var a0: Int32 = 0, a1: Int32 = 0, a2: Int32 = 0, a3: Int32 = 0, a4: Int32 = 0, a5: Int32 = 0, a6: Int32 = 0, a7: Int32 = 0
                    var f = filterT + block
                    for k in 0..<depth {
                        let x = patch[k]
                        a0 &+= Int32(x &* f[0]); a1 &+= Int32(x &* f[1]); a2 &+= Int32(x &* f[2]); a3 &+= Int32(x &* f[3])
                        a4 &+= Int32(x &* f[4]); a5 &+= Int32(x &* f[5]); a6 &+= Int32(x &* f[6]); a7 &+= Int32(x &* f[7])
                        f += cout
                    }
                    acc[block] = a0; acc[block + 1] = a1; acc[block + 2] = a2; acc[block + 3] = a3
                    acc[block + 4] = a4; acc[block + 5] = a5; acc[block + 6] = a6; acc[block + 7] = a7
                    block += 8
                }
                for oc in block..<cout { acc[oc] = 0 }
                if block < cout {
                    for k in 0..<depth {
                        let x = patch[k]
                        let f = filterT + k * cout
                        for oc in block..<cout { acc[oc] &+= Int32(x &* f[oc]) }
                    }
                }
                let out = output + ((b * p.outputHeight + outY) * p.outputWidth + outX) * cout
                for oc in 0..<cout {
                    var value = acc[oc] &+ p.inputOffset &* filterSum[oc]
                    if let bias { value &+= bias[oc] }
                    let shift = Int32(truncatingIfNeeded: shifts[oc])
                    value = requantizeNonNegative(value, multipliers[oc], leftShift: max(shift, 0), rightShift: max(-shift, 0)) &+ p.outputOffset
                    out[oc] = Int8(truncatingIfNeeded: min(max(value, p.activationMin), p.activationMax))
                }
            }
        }
    }
    }
    }
}
