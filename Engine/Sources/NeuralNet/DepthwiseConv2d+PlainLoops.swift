// DepthwiseConv2d's plain loops, for channel counts the SIMD kernels (DepthwiseConvolution)
// do not take: direct loops whose innermost loop runs over the contiguous channel axis so
// the compiler vectorises it. Parallel over chunks of the batch.
import TrainingKernels

extension DepthwiseConv2d {
    /// The forward pass as plain loops.
    func plainForward(_ input: Tensor, geometry g: ConvGeometry) -> Tensor {
        let (n, h, w, c) = input.nhwc
        let k = kernelSize, s = stride
        var output = Tensor(uninitialized: [n, g.outputHeight, g.outputWidth, c])  // (N, OH, OW, C)
        let biasValues = bias?.value ?? [Float](repeating: 0, count: c)
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wt in
                biasValues.withUnsafeBufferPointer { b in
                    output.data.withUnsafeMutableBufferPointer { y in
                        let x = x.baseAddress!, wt = wt.baseAddress!, b = b.baseAddress!, y = y.baseAddress!
                        Compute.chunks(n) { images, _ in
                            for image in images {
                                let xi = x + image * h * w * c
                                for oy in 0..<g.outputHeight {
                                    for ox in 0..<g.outputWidth {
                                        let out = y + ((image * g.outputHeight + oy) * g.outputWidth + ox) * c
                                        out.update(from: b, count: c)
                                        for ky in 0..<k {
                                            let iy = oy * s - g.padTop + ky
                                            if iy < 0 || iy >= h { continue }
                                            for kx in 0..<k {
                                                let ix = ox * s - g.padLeft + kx
                                                if ix < 0 || ix >= w { continue }
                                                let src = xi + (iy * w + ix) * c
                                                let wk = wt + (ky * k + kx) * c
                                                for ch in 0..<c { out[ch] += src[ch] * wk[ch] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// The backward pass as plain loops.
    func plainBackward(_ dOutput: Tensor, geometry g: ConvGeometry) -> Tensor {
        let (n, h, w, c) = input.nhwc
        let k = kernelSize, s = stride
        let weightCount = k * k * c
        let slot = weightCount + c
        let workers = max(1, min(Compute.activeThreads, n))
        // Every worker accumulates into its own slot; slot 0 is then the sum.
        partialGrads = [Float](repeating: 0, count: workers * slot)
        let wantInput = needsInputGradient
        var dInput = Tensor(zeros: wantInput ? [n, h, w, c] : [0])
        input.data.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { wt in
                dOutput.data.withUnsafeBufferPointer { dy in
                    dInput.data.withUnsafeMutableBufferPointer { dx in
                        partialGrads.withUnsafeMutableBufferPointer { partial in
                            let x = x.baseAddress!, wt = wt.baseAddress!, dy = dy.baseAddress!
                            let dxBase = dx.baseAddress, partial = partial.baseAddress!
                            Compute.chunks(n) { images, worker in
                                let dW = partial + worker * slot
                                let dB = dW + weightCount
                                for image in images {
                                    let xi = x + image * h * w * c
                                    for oy in 0..<g.outputHeight {
                                        for ox in 0..<g.outputWidth {
                                            let gOut = dy + ((image * g.outputHeight + oy) * g.outputWidth + ox) * c
                                            for ch in 0..<c { dB[ch] += gOut[ch] }
                                            for ky in 0..<k {
                                                let iy = oy * s - g.padTop + ky
                                                if iy < 0 || iy >= h { continue }
                                                for kx in 0..<k {
                                                    let ix = ox * s - g.padLeft + kx
                                                    if ix < 0 || ix >= w { continue }
                                                    let offset = (iy * w + ix) * c
                                                    let src = xi + offset
                                                    let dWk = dW + (ky * k + kx) * c
                                                    for ch in 0..<c { dWk[ch] += gOut[ch] * src[ch] }
                                                    if wantInput {
                                                        let dst = dxBase! + image * h * w * c + offset
                                                        let wk = wt + (ky * k + kx) * c
                                                        for ch in 0..<c { dst[ch] += gOut[ch] * wk[ch] }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            for worker in 1..<max(workers, 1) {
                                for i in 0..<slot { partial[i] += partial[worker * slot + i] }
                            }
                        }
                    }
                }
            }
        }
        weight.grad = Array(partialGrads[0..<weightCount])
        bias?.grad = Array(partialGrads[weightCount..<slot])
        return dInput
    }
}
