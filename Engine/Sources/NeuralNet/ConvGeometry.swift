// Output size and padding of a 2-D window (convolution or pooling) with TensorFlow's
// "same"/"valid" rules, so shapes match Keras and TFLite exactly. `ConvGeometry` itself
// lives with the kernels (TrainingKernels).
import TrainingKernels

/// Padding rule of a convolution or pooling window.
public enum Padding: String, Codable, Sendable, CaseIterable {
    /// Output `ceil(in / stride)`; zeros added, the extra one at the bottom/right (as TensorFlow).
    case same
    /// No padding; output `(in - kernel) / stride + 1`.
    case valid
}

extension ConvGeometry {
    /// The geometry of a square kernel over an NHWC input shape.
    init(inputShape shape: [Int], kernelSize: Int, stride: Int, padding: Padding) {
        self.init(
            inputHeight: shape[1], inputWidth: shape[2], kernelHeight: kernelSize, kernelWidth: kernelSize,
            stride: stride, padding: padding)
    }

    /// Output size and padding by TensorFlow's rule for `padding`.
    init(inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Padding) {
        let outputHeight: Int, outputWidth: Int, padTop: Int, padLeft: Int
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
        self.init(
            inputHeight: inputHeight, inputWidth: inputWidth, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            stride: stride, outputHeight: outputHeight, outputWidth: outputWidth, padTop: padTop, padLeft: padLeft)
    }
}
