// Converting between what a user has (pixels, float inputs, int8 outputs) and what the
// int8 graph takes and gives: quantise the input, dequantise the output, pick the top class.

import NeuralNet

extension Int8Model {
    /// Quantises a preprocessed float input with the input tensor's parameters.
    public func quantizeInput(_ values: [Float]) -> [Int8] {
        let q = inputTensor.quantization ?? Quantization(scale: 1, zeroPoint: 0)
        return values.map { Int8(clamping: quantizeValue($0, scale: q.scale, zeroPoint: q.zeroPoint)) }
    }

    /// Quantises raw interleaved 8-bit pixels (already at the input size) by the model card's
    /// formula (`InputQuantizer`), applying `preprocessing`.
    public func quantizeInput(pixels: [UInt8]) -> [Int8] {
        let prep = preprocessing ?? Preprocessing(color: inputTensor.shape.last == 3 ? .rgb : .grayscale)
        return InputQuantizer(preprocessing: prep, quantization: inputTensor.quantization).quantize(pixels)
    }

    /// Real values of an int8 output: `scale · (q − zeroPoint)`.
    public func dequantizeOutput(_ values: [Int8]) -> [Float] {
        let q = outputTensor.quantization ?? Quantization(scale: 1, zeroPoint: 0)
        return values.map { q.scale * Float(Int32($0) - q.zeroPoint) }
    }
}

extension Int8Runtime {
    /// Top-1 accuracy on preprocessed float images (classification models).
    public func accuracy(on data: LabeledImages) -> Float {
        let size = data.images.itemCount
        var correct = 0
        for i in 0..<data.count {
            let input = model.quantizeInput(Array(data.images.data[(i * size)..<((i + 1) * size)]))
            let output = run(input)
            if output.indices.max(by: { output[$0] < output[$1] }) == data.labels[i] { correct += 1 }
        }
        return Float(correct) / Float(max(1, data.count))
    }
}
