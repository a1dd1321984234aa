// The model card's input formula: normalised images (as training and evaluation hold them)
// quantise to exactly the bytes the pixels give, for every pixel value and channel, with the
// odd means, deviations and scales real models have.
import Int8Inference
import NeuralNet
import Testing

@Suite("Input quantisation")
struct InputQuantizerTests {
    static let cases: [(Preprocessing, Float, Int32)] = [
        (Preprocessing(color: .grayscale), 1 / 255, -128),
        (Preprocessing(color: .grayscale, mean: [0.5], std: [0.25]), 0.0154902, 3),
        (Preprocessing(color: .rgb, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]), 0.0187173, -14),
    ]

    @Test(arguments: cases)
    func normalisedInputsQuantiseLikeTheirPixels(preprocessing: Preprocessing, scale: Float, zeroPoint: Int32) {
        // setup: every pixel value in every channel
        let channels = preprocessing.color.channels
        let pixels = (0..<256).flatMap { p in [UInt8](repeating: UInt8(p), count: channels) }
        let quantizer = InputQuantizer(
            preprocessing: preprocessing, quantization: Quantization(scale: scale, zeroPoint: zeroPoint))
        // act
        let fromPixels = quantizer.quantize(pixels)
        let fromNormalised = quantizer.quantize(normalized: preprocessing.normalize(pixels))
        // check
        #expect(fromNormalised == fromPixels)
        #expect(
            fromPixels[0]
                == Int8(
                    max(
                        -128,
                        min(
                            127,
                            ((0 - Double(preprocessing.mean[0])) / Double(preprocessing.std[0]) / Double(scale))
                                .rounded(.toNearestOrAwayFromZero) + Double(zeroPoint)))))
    }
}
