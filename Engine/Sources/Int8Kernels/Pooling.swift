// MAX_POOL_2D and AVERAGE_POOL_2D, int8 (TFLite Micro's `reference_integer_ops` pooling).
//
// Windows are clipped to the image; average pooling divides the int32 sum by the number of
// valid taps rounding half away from zero, so input and output share quantisation.
// Input `(N, H, W, C)`, output `(N, OH, OW, C)`.

/// Geometry of a pooling operator.
public struct PoolParameters: Sendable, Equatable {
    public var batches: Int, channels: Int
    public var inputHeight: Int, inputWidth: Int
    public var outputHeight: Int, outputWidth: Int
    public var filterHeight: Int, filterWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padTop: Int, padLeft: Int
    public var activationMin: Int32, activationMax: Int32

    public init(
        batches: Int, channels: Int, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int,
        filterHeight: Int, filterWidth: Int, strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int,
        activationMin: Int32, activationMax: Int32
    ) {
        (self.batches, self.channels, self.inputHeight, self.inputWidth) = (batches, channels, inputHeight, inputWidth)
        (self.outputHeight, self.outputWidth, self.filterHeight, self.filterWidth) = (
            outputHeight, outputWidth, filterHeight, filterWidth
        )
        (self.strideHeight, self.strideWidth, self.padTop, self.padLeft) = (strideHeight, strideWidth, padTop, padLeft)
        (self.activationMin, self.activationMax) = (activationMin, activationMax)
    }
}

/// Reference int8 max pooling.
public func maxPoolReference(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    pool(p, input: input, output: output, average: false)
}

/// Fast int8 max pooling: channel-innermost running maxima over contiguous rows (equal to the
/// reference: max is exact, the clamp is the same).
public func maxPoolFast(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.channels
    let low = Int8(truncatingIfNeeded: max(p.activationMin, -128)),
        high = Int8(truncatingIfNeeded: min(p.activationMax, 127))
    for b in 0..<p.batches {
        let image = input + b * p.inputHeight * p.inputWidth * c
        for outY in 0..<p.outputHeight {
            let inYOrigin = outY * p.strideHeight - p.padTop
            let fyStart = max(0, -inYOrigin), fyEnd = min(p.filterHeight, p.inputHeight - inYOrigin)
            for outX in 0..<p.outputWidth {
                let inXOrigin = outX * p.strideWidth - p.padLeft
                let fxStart = max(0, -inXOrigin), fxEnd = min(p.filterWidth, p.inputWidth - inXOrigin)
                let out = output + ((b * p.outputHeight + outY) * p.outputWidth + outX) * c
                for ch in 0..<c { out[ch] = -128 }
                for fy in fyStart..<max(fyStart, fyEnd) {
                    for fx in fxStart..<max(fxStart, fxEnd) {
                        let source = image + ((inYOrigin + fy) * p.inputWidth + inXOrigin + fx) * c
                        for ch in 0..<c { out[ch] = max(out[ch], source[ch]) }
                    }
                }
                for ch in 0..<c { out[ch] = min(max(out[ch], low), high) }
            }
        }
    }
}

/// Reference int8 average pooling.
public func averagePoolReference(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    pool(p, input: input, output: output, average: true)
}

@inline(__always)
private func pool(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, average: Bool) {
    for b in 0..<p.batches {
        for outY in 0..<p.outputHeight {
            let inYOrigin = outY * p.strideHeight - p.padTop
            let fyStart = max(0, -inYOrigin), fyEnd = min(p.filterHeight, p.inputHeight - inYOrigin)
            for outX in 0..<p.outputWidth {
                let inXOrigin = outX * p.strideWidth - p.padLeft
                let fxStart = max(0, -inXOrigin), fxEnd = min(p.filterWidth, p.inputWidth - inXOrigin)
                for c in 0..<p.channels {
                    var result: Int32
                    if average {
                        var acc: Int32 = 0
                        var count: Int32 = 0
                        for fy in fyStart..<max(fyStart, fyEnd) {
                            for fx in fxStart..<max(fxStart, fxEnd) {
                                acc &+= Int32(
                                    input[
                                        ((b * p.inputHeight + inYOrigin + fy) * p.inputWidth + inXOrigin + fx)
                                            * p.channels + c])
                                count += 1
                            }
                        }
                        if count == 0 {
                            result = 0
                        } else {
                            result = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
                        }
                    } else {
                        result = -128
                        for fy in fyStart..<max(fyStart, fyEnd) {
                            for fx in fxStart..<max(fxStart, fxEnd) {
                                result = max(
                                    result,
                                    Int32(
                                        input[
                                            ((b * p.inputHeight + inYOrigin + fy) * p.inputWidth + inXOrigin + fx)
                                                * p.channels + c]))
                            }
                        }
                    }
                    result = min(max(result, p.activationMin), p.activationMax)
                    output[((b * p.outputHeight + outY) * p.outputWidth + outX) * p.channels + c] = Int8(
                        truncatingIfNeeded: result)
                }
            }
        }
    }
}
