// CONV_2D, int8 with per-channel weights: the reference kernel and the fast kernel.
//
// Reference: plain loops in TFLite Micro's order (`reference_integer_ops::ConvPerChannel`),
// skipping taps outside the image. Fast: gathers each receptive field once (padding taps
// take the input zero point, so they contribute 0) and uses
// Σ f·(x + offset) = Σ f·x + offset·Σ f, exact in int32, so it matches the reference bit for
// bit (tested). Input `(N, H, W, Cin)`, filter `(Cout, KH, KW, Cin)`, bias `(Cout)` int32.

/// Reference per-channel int8 convolution.
public func conv2dReference(
    _ p: ConvParameters, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
    bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>
) {
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
                                let x = Int32(
                                    input[((b * p.inputHeight + inY) * p.inputWidth + inX) * p.inputChannels + ic])
                                let f = Int32(
                                    filter[((oc * p.filterHeight + fy) * p.filterWidth + fx) * p.inputChannels + ic])
                                acc &+= f &* (x &+ p.inputOffset)
                            }
                        }
                    }
                    if let bias { acc &+= bias[oc] }
                    acc = multiplyByQuantizedMultiplier(acc, p.multipliers[oc], p.shifts[oc])
                    acc &+= p.outputOffset
                    acc = min(max(acc, p.activationMin), p.activationMax)
                    output[((b * p.outputHeight + outY) * p.outputWidth + outX) * p.outputChannels + oc] = Int8(
                        truncatingIfNeeded: acc)
                }
            }
        }
    }
}

/// Σ a[i]·b[i] over `count` int8 pairs, in int32.
@inlinable @inline(__always)
func dotProduct(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ count: Int) -> Int32 {
    var sum: Int32 = 0
    for i in 0..<count { sum &+= Int32(a[i]) &* Int32(b[i]) }
    return sum
}

/// Per-output-channel sums of filter values, `(Cout)`.
public func filterSums(_ filter: [Int8], outputChannels: Int) -> [Int32] {
    let perChannel = filter.count / outputChannels
    return (0..<outputChannels).map { oc in
        filter[(oc * perChannel)..<((oc + 1) * perChannel)].reduce(Int32(0)) { $0 &+ Int32($1) }
    }
}

/// What `conv2dFast` adds to each channel's Σ f·x: `inputOffset·Σ f + bias`, so that the sum
/// equals the reference's Σ f·(x + inputOffset) + bias (exact in int32).
public func conv2dChannelOffsets(filter: [Int8], outputChannels: Int, inputOffset: Int32, bias: [Int32]?) -> [Int32] {
    filterSums(filter, outputChannels: outputChannels).enumerated().map { oc, sum in
        inputOffset &* sum &+ (bias?[oc] ?? 0)
    }
}

/// Widens `count` int8 values to int16.
@inlinable @inline(__always)
func widen(_ target: UnsafeMutablePointer<Int16>, _ source: UnsafePointer<Int8>, _ count: Int) {
    for i in 0..<count { target[i] = Int16(source[i]) }
}

/// Receptive-field positions rounded up to pairs: the fast kernel multiplies two at a time.
@inlinable @inline(__always)
func pairedDepth(_ p: ConvParameters) -> Int {
    (p.filterHeight * p.filterWidth * p.inputChannels + 1) / 2 * 2
}

/// Scratch bytes of `conv2dFast`: the int16 patch (paired), then `Cout` int32 accumulators,
/// each 16-byte aligned.
public func conv2dScratchLayout(_ p: ConvParameters) -> (patchBytes: Int, totalBytes: Int) {
    let patchBytes = (2 * pairedDepth(p) + 15) / 16 * 16
    return (patchBytes, patchBytes + 4 * p.outputChannels)
}

/// The filter `(Cout, KH, KW, Cin)` rearranged for `conv2dFast` as int16 pairs: for each pair
/// of receptive-field positions (2j, 2j+1) and each output channel, `[f(2j, oc), f(2j+1, oc)]`,
/// shape `(⌈depth/2⌉, Cout, 2)`; an odd depth gets a zero tap.
public func pairedFilter(_ filter: [Int8], outputChannels: Int) -> [Int16] {
    let depth = filter.count / max(outputChannels, 1)
    var result = [Int16](repeating: 0, count: (depth + 1) / 2 * 2 * outputChannels)
    for oc in 0..<outputChannels {
        for k in 0..<depth { result[((k / 2) * outputChannels + oc) * 2 + k % 2] = Int16(filter[oc * depth + k]) }
    }
    return result
}

/// For eight channels, `x0·f(2j) + x1·f(2j+1)` in int32: `x` holds (x0, x1) eight times and
/// `f` points at eight channels' pairs. LLVM emits one `vpmaddwd` (AVX2) or two `pmaddwd`
/// (SSE2); the lane-by-lane widening (`SIMDLanes.swift`) keeps that pattern inside the loop.
@inlinable @inline(__always)
func multiplyAddPairs(_ x: SIMD16<Int16>, _ f: UnsafeRawPointer) -> SIMD8<Int32> {
    let products = widened(x) &* widened(f.loadUnaligned(as: SIMD16<Int16>.self))
    return products.evenHalf &+ products.oddHalf
}

/// The same for four channels: one `pmaddwd`.
@inlinable @inline(__always)
func multiplyAddPairs(_ x: SIMD8<Int16>, _ f: UnsafeRawPointer) -> SIMD4<Int32> {
    let products = widened(x) &* widened(f.loadUnaligned(as: SIMD8<Int16>.self))
    return products.evenHalf &+ products.oddHalf
}

/// Fast per-channel int8 convolution. For each output pixel it gathers the receptive field
/// once as int16 (`patch`, `pairedDepth` values, padding taps = the input zero point, so they
/// contribute 0), then accumulates two positions at a time for eight channels per instruction
/// (int8·int8 products and their pairwise sums fit int32 exactly), 32 channels per loop, adds each channel's
/// `channelOffsets` entry (`conv2dChannelOffsets`) and requantises eight channels at a time.
/// `filterPairs` is `pairedFilter(filter)`; `patch` and `accumulators` are scratch laid out by
/// `conv2dScratchLayout`. Inlined into each caller so that `Int8KernelsAVX2` compiles it for AVX2.
@inlinable @inline(__always)
public func conv2dFast(
    _ p: ConvParameters, input: UnsafePointer<Int8>, filterPairs: UnsafePointer<Int16>,
    channelOffsets: UnsafePointer<Int32>, patch: UnsafeMutablePointer<Int16>,
    accumulators acc: UnsafeMutablePointer<Int32>, output: UnsafeMutablePointer<Int8>
) {
    let cin = p.inputChannels
    let depth = p.filterHeight * p.filterWidth * cin
    let pairs = pairedDepth(p) / 2
    let padValue = Int16(truncatingIfNeeded: -p.inputOffset)
    let rowContiguous = p.dilationWidth == 1
    let cout = p.outputChannels
    let pairRowBytes = 4 * cout
    if depth % 2 == 1 { patch[depth] = 0 }
    p.withRequantizer { requantizer in
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
                        if rowContiguous && inY >= 0 && inY < p.inputHeight && inXOrigin >= 0
                            && inXOrigin + p.filterWidth <= p.inputWidth
                        {
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
                    let patchBytes = UnsafeRawPointer(patch)
                    @inline(__always) func pair(_ j: Int) -> UInt32 {
                        patchBytes.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self)
                    }
                    var block = 0
                    while block + 32 <= cout {
                        var s0 = SIMD8<Int32>(), s1 = SIMD8<Int32>(), s2 = SIMD8<Int32>(), s3 = SIMD8<Int32>()
                        var f = UnsafeRawPointer(filterPairs + 2 * block)
                        for j in 0..<pairs {
                            let x = unsafeBitCast(SIMD8<UInt32>(repeating: pair(j)), to: SIMD16<Int16>.self)
                            s0 &+= multiplyAddPairs(x, f); s1 &+= multiplyAddPairs(x, f + 32)
                            s2 &+= multiplyAddPairs(x, f + 64); s3 &+= multiplyAddPairs(x, f + 96)
                            f += pairRowBytes
                        }
                        let target = UnsafeMutableRawPointer(acc + block)
                        target.storeBytes(of: s0, as: SIMD8<Int32>.self);
                        target.storeBytes(of: s1, toByteOffset: 32, as: SIMD8<Int32>.self)
                        target.storeBytes(of: s2, toByteOffset: 64, as: SIMD8<Int32>.self);
                        target.storeBytes(of: s3, toByteOffset: 96, as: SIMD8<Int32>.self)
                        block += 32
                    }
                    while block + 8 <= cout {
                        var s = SIMD8<Int32>()
                        var f = UnsafeRawPointer(filterPairs + 2 * block)
                        for j in 0..<pairs {
                            s &+= multiplyAddPairs(
                                unsafeBitCast(SIMD8<UInt32>(repeating: pair(j)), to: SIMD16<Int16>.self), f)
                            f += pairRowBytes
                        }
                        UnsafeMutableRawPointer(acc + block).storeBytes(of: s, as: SIMD8<Int32>.self)
                        block += 8
                    }
                    while block + 4 <= cout {
                        var s = SIMD4<Int32>()
                        var f = UnsafeRawPointer(filterPairs + 2 * block)
                        for j in 0..<pairs {
                            s &+= multiplyAddPairs(
                                unsafeBitCast(SIMD4<UInt32>(repeating: pair(j)), to: SIMD8<Int16>.self), f)
                            f += pairRowBytes
                        }
                        UnsafeMutableRawPointer(acc + block).storeBytes(of: s, as: SIMD4<Int32>.self)
                        block += 4
                    }
                    for oc in block..<cout {
                        var sum: Int32 = 0
                        for j in 0..<pairs {
                            let f = filterPairs + (j * cout + oc) * 2
                            sum &+= Int32(patch[2 * j]) &* Int32(f[0]) &+ Int32(patch[2 * j + 1]) &* Int32(f[1])
                        }
                        acc[oc] = sum
                    }
                    requantizer.all(
                        acc, plus: channelOffsets, count: cout,
                        into: output + ((b * p.outputHeight + outY) * p.outputWidth + outX) * cout)
                }
            }
        }
    }
}
