// The model card's input formula, exactly: an 8-bit pixel p of channel c (after resizing and
// colour conversion) becomes
//     q = clamp(round((p / 255 − mean[c]) / std[c] / inputScale) + inputZeroPoint, −128, 127)
// in double precision with the card's numbers (each a float32 of the model, printed exactly),
// halves rounded away from zero. The prediction API, iteration evaluation, quick tests, the
// on-device check and `Int8Model.quantizeInput(pixels:)` all quantise through it, so a client
// that follows the card feeds a board the same bytes.
// (The engine's `quantizeInput` divides in float32 on normalised floats; on some inputs that
// rounds a pixel to the neighbouring step, which the card's formula does not.)
// There are only 256 pixel values per channel, so the formula is tabulated once per model.
import NeuralNet

public struct InputQuantizer: Sendable {
    /// `table[c][p]`: the int8 input for pixel value `p` in channel `c`.
    public let table: [[Int8]]
    let preprocessing: Preprocessing

    public init(preprocessing: Preprocessing, quantization: Quantization?) {
        self.preprocessing = preprocessing
        let scale = Double(quantization?.scale ?? 1), zeroPoint = Double(quantization?.zeroPoint ?? 0)
        table = (0..<preprocessing.color.channels).map { c in
            let mean = Double(preprocessing.mean[c]), std = Double(preprocessing.std[c])
            return (0..<256).map { p in
                let q = ((Double(p) / 255 - mean) / std / scale).rounded(.toNearestOrAwayFromZero) + zeroPoint
                return Int8(max(-128, min(127, q)))
            }
        }
    }

    /// Interleaved 8-bit pixels (H, W, C) as the model's int8 input.
    public func quantize(_ pixels: [UInt8]) -> [Int8] {
        let channels = table.count
        if channels == 1 { return table[0].withUnsafeBufferPointer { t in pixels.map { t[Int($0)] } } }
        return pixels.enumerated().map { index, p in table[index % channels][Int(p)] }
    }

    /// Normalised inputs (`Preprocessing.normalize` of 8-bit pixels, as training and evaluation
    /// hold images) as the int8 input the card's formula gives those pixels. Each pixel is
    /// recovered first: the normalisation is invertible to far within half a pixel step.
    public func quantize(normalized values: [Float]) -> [Int8] {
        let channels = table.count
        return values.enumerated().map { index, value in
            let c = index % channels
            let pixel = ((Double(value) * Double(preprocessing.std[c]) + Double(preprocessing.mean[c])) * 255).rounded()
            return table[c][Int(max(0, min(255, pixel)))]
        }
    }
}
