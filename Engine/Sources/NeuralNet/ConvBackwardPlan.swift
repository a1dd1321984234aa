// ConvBackwardPlan: how one backward pass of a Conv2d runs over its chunk of the batch, by
// the layer's path (Winograd, 1x1 pointwise, or im2col + a matrix product + col2im), and the
// buffers it reads and writes. Conv2d.backward builds one plan and runs it on every core.
import TrainingKernels

/// The pointers one backward pass reads and writes.
struct ConvBackwardBuffers {
    let dOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>
    /// The Winograd path's transformed filters, from forward.
    let transformedWeight: UnsafePointer<Float>?
    let input: UnsafePointer<Float>?, output: UnsafePointer<Float>?
    /// `(workers, block·rows, patch)` patch-row scratch.
    let columns: UnsafeMutablePointer<Float>?
    /// `(workers, weightCount + Cout)`: each worker's weight and bias gradients.
    let partialGradients: UnsafeMutablePointer<Float>
    /// dOutput masked by the fused ReLU.
    let maskedGradient: UnsafeMutablePointer<Float>?
    let dInput: UnsafeMutablePointer<Float>?
}

/// How one backward pass of a `Conv2d` runs over a chunk of the batch: mask by the fused
/// ReLU, then the weight and bias gradients and the input gradient by the layer's path
/// (direct, 1x1 pointwise, or im2col + sgemm + col2im in cache-sized blocks of images).
struct ConvBackwardPlan {
    let geometry: ConvGeometry
    let channels: Int, outputChannels: Int
    /// Output pixels per image and values per patch row.
    let rows: Int, patch: Int
    /// Images per im2col block.
    let block: Int
    let path: Conv2d.Path
    let wantInput: Bool, relu: Bool, hasBias: Bool
    let direct: DirectConvolution?
    let winograd: WinogradConvolution?

    var weightCount: Int { patch * outputChannels }
    /// Gradient values per worker: weights, then biases.
    var slot: Int { weightCount + outputChannels }
    var scratch: Int { winograd?.scratchCount ?? block * rows * patch }
    var needsColumns: Bool { path == .im2col || path == .winograd || (path == .direct && wantInput) }

    /// Gradients of the images `images` into worker `worker`'s slot (and `dInput`).
    func run(_ images: Range<Int>, worker: Int, _ buffers: ConvBackwardBuffers) {
        let first = images.lowerBound * rows * outputChannels
        let dy = relu ? maskedByReLU(images, buffers) : buffers.dOutput + first
        let gradW = buffers.partialGradients + worker * slot
        let gradB = gradW + weightCount
        if let direct {
            gradW.update(repeating: 0, count: slot)
            Kernels.directWeightGradient(
                direct, input: buffers.input!, dOutput: dy, images: images, dWeight: gradW,
                dBias: hasBias ? gradB : nil)
            guard wantInput else { return }
        } else if hasBias {
            sumRows(dy, rows: images.count * rows, columns: outputChannels, into: gradB)
        }
        if let winograd {
            // dOutput from the first image of the batch, as the kernel indexes it by image.
            Kernels.winogradBackward(
                winograd, input: buffers.input!, dOutput: dy - first, transformedWeight: buffers.transformedWeight!,
                images: images, dWeight: gradW, dInput: wantInput ? buffers.dInput : nil,
                scratch: buffers.columns! + worker * scratch)
        } else if path == .pointwise {
            pointwiseGradients(images, dy: dy, gradW: gradW, buffers)
        } else {
            blockGradients(images, dy: dy, gradW: gradW, columns: buffers.columns! + worker * scratch, buffers)
        }
    }

    /// dOutput · [output > 0] for the chunk (the fused ReLU's backward).
    private func maskedByReLU(_ images: Range<Int>, _ buffers: ConvBackwardBuffers) -> UnsafePointer<Float> {
        let first = images.lowerBound * rows * outputChannels
        let target = buffers.maskedGradient! + first
        Kernels.maskPositive(
            gradient: buffers.dOutput + first, reference: buffers.output! + first, into: target,
            count: images.count * rows * outputChannels)
        return UnsafePointer(target)
    }

    /// 1x1 stride 1: the input already is the patch matrix.
    private func pointwiseGradients(
        _ images: Range<Int>, dy: UnsafePointer<Float>, gradW: UnsafeMutablePointer<Float>,
        _ buffers: ConvBackwardBuffers
    ) {
        let m = images.count * rows
        let x = buffers.input! + images.lowerBound * rows * channels
        // dWeight (Cin, Cout) = inputᵀ (Cin, m) · dOutput (m, Cout)
        gemm(
            transposeA: true, m: patch, n: outputChannels, k: m, a: x, lda: patch, b: dy, ldb: outputChannels, c: gradW,
            ldc: outputChannels)
        guard wantInput else { return }
        gemm(
            transposeB: true, m: m, n: channels, k: outputChannels, a: dy, lda: outputChannels, b: buffers.weight,
            ldb: outputChannels,
            c: buffers.dInput! + images.lowerBound * rows * channels, ldc: channels)
    }

    /// Blocks of images whose patch rows stay in cache: dWeight through im2col (unless the
    /// direct path did it), dInput through the patch rows and col2im.
    private func blockGradients(
        _ images: Range<Int>, dy: UnsafePointer<Float>, gradW: UnsafeMutablePointer<Float>,
        columns: UnsafeMutablePointer<Float>, _ buffers: ConvBackwardBuffers
    ) {
        for start in Swift.stride(from: images.lowerBound, to: images.upperBound, by: block) {
            let sub = start..<min(start + block, images.upperBound)
            let dyBlock = dy + (start - images.lowerBound) * rows * outputChannels
            if direct == nil {
                im2col(input: buffers.input!, channels: channels, geometry: geometry, images: sub, columns: columns)
                // dWeight (patch, Cout) += colsᵀ (patch, m) · dOutput (m, Cout)
                gemm(
                    transposeA: true, m: patch, n: outputChannels, k: sub.count * rows, a: columns, lda: patch,
                    b: dyBlock, ldb: outputChannels, beta: start == images.lowerBound ? 0 : 1, c: gradW,
                    ldc: outputChannels)
            }
            guard wantInput else { continue }
            // dColumns (m, patch) = dOutput (m, Cout) · weightᵀ (Cout, patch), over the columns
            gemm(
                transposeB: true, m: sub.count * rows, n: patch, k: outputChannels, a: dyBlock, lda: outputChannels,
                b: buffers.weight, ldb: outputChannels, c: columns, ldc: patch)
            col2im(columns: columns, channels: channels, geometry: geometry, images: sub, dInput: buffers.dInput!)
        }
    }

    /// Adds every worker's gradients into worker 0's slot.
    func sumPartialGradients(_ partial: UnsafeMutablePointer<Float>, workers: Int) {
        for worker in 1..<max(workers, 1) {
            let source = partial + worker * slot
            for i in 0..<slot { partial[i] += source[i] }
        }
    }
}
