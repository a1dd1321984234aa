// ConvGeometry: the sizes of one spatial window operation (convolution or pooling) as the
// kernels need them. NeuralNet derives them from a layer's padding rule (`Padding`).

/// Sizes of one spatial window operation.
public struct ConvGeometry: Equatable, Sendable {
    public let inputHeight: Int, inputWidth: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let stride: Int
    public let outputHeight: Int, outputWidth: Int
    public let padTop: Int, padLeft: Int

    public init(
        inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, outputHeight: Int,
        outputWidth: Int, padTop: Int, padLeft: Int
    ) {
        precondition(
            outputHeight > 0 && outputWidth > 0,
            "window \(kernelHeight)x\(kernelWidth) does not fit input \(inputHeight)x\(inputWidth)")
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.padTop = padTop
        self.padLeft = padLeft
    }
}
