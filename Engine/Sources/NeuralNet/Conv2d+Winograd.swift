// Conv2d's forward pass on the Winograd path (3x3, stride 1, channels and filters in groups
// of eight; see WinogradConvolution): the filters are transformed once per pass, then each
// core convolves its chunk of the batch in blocks of images. Backward is ConvBackwardPlan's.
import TrainingKernels

extension Conv2d {
    func winogradForward(_ input: Tensor, geometry g: ConvGeometry) -> Tensor {
        let (n, _, _, c) = input.nhwc
        let winograd = WinogradConvolution(geometry: g, channels: c, outputChannels: outputChannels)
        if transformedWeights.count != winograd.transformedWeightCount {
            transformedWeights = [Float](repeating: 0, count: winograd.transformedWeightCount)
        }
        weight.value.withUnsafeBufferPointer { w in
            transformedWeights.withUnsafeMutableBufferPointer { u in
                winograd.transformWeights(w.baseAddress!, into: u.baseAddress!)
            }
        }
        let workers = max(1, min(Compute.activeThreads, n))
        let size = winograd.scratchCount
        if columns.count < workers * size { columns = [Float](repeating: 0, count: workers * size) }
        var output = Tensor(uninitialized: [n, g.outputHeight, g.outputWidth, outputChannels])
        let biasValues = bias?.value ?? []
        let relu = fusedReLU
        input.data.withUnsafeBufferPointer { x in
            transformedWeights.withUnsafeBufferPointer { u in
                biasValues.withUnsafeBufferPointer { b in
                    output.data.withUnsafeMutableBufferPointer { y in
                        columns.withUnsafeMutableBufferPointer { scratch in
                            let x = x.baseAddress!, u = u.baseAddress!, y = y.baseAddress!
                            let scratch = scratch.baseAddress!
                            // An empty array may still have a base address: decide by the parameter.
                            let biasBase = biasValues.isEmpty ? nil : b.baseAddress
                            Compute.chunks(n) { images, worker in
                                Kernels.winogradForward(
                                    winograd, input: x, transformedWeight: u, bias: biasBase, relu: relu,
                                    images: images, output: y, scratch: scratch + worker * size)
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}
