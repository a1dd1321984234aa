// ConvGeometry: output size and padding of a 2-D window (convolution or pooling) with
// TensorFlow's "same"/"valid" rules, so shapes match Keras and TFLite exactly.

/// Padding rule of a convolution or pooling window.
public enum Padding: String, Codable, Sendable, CaseIterable {
    /// Output `ceil(in / stride)`; zeros added, the extra one at the bottom/right (as TensorFlow).
    case same
    /// No padding; output `(in - kernel) / stride + 1`.
    case valid
}

/// Sizes of one spatial window operation.
struct ConvGeometry: Equatable {
    let inputHeight: Int, inputWidth: Int
    let kernelHeight: Int, kernelWidth: Int
    let stride: Int
    let outputHeight: Int, outputWidth: Int
    let padTop: Int, padLeft: Int

    /// The geometry of a square kernel over an NHWC input shape.
    init(inputShape shape: [Int], kernelSize: Int, stride: Int, padding: Padding) {
        self.init(inputHeight: shape[1], inputWidth: shape[2], kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride, padding: padding)
    }

    init(inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Padding) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        switch padding {
        case .valid:
            outputHeight = (inputHeight - kernelHeight) / stride + 1
            outputWidth = (inputWidth - kernelWidth) / stride + 1
            padTop = 0
            padLeft = 0
        case .same:
            outputHeight = (inputHeight + stride - 1) / stride
            outputWidth = (inputWidth + stride - 1) / stride
            padTop = max((outputHeight - 1) * stride + kernelHeight - inputHeight, 0) / 2
            padLeft = max((outputWidth - 1) * stride + kernelWidth - inputWidth, 0) / 2
        }
        precondition(outputHeight > 0 && outputWidth > 0, "window \(kernelHeight)x\(kernelWidth) does not fit input \(inputHeight)x\(inputWidth)")
    }
}
