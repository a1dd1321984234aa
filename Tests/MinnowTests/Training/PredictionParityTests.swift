// Issue 15: a client that follows the model card (pixels quantised as
// round((p/255 − mean)/std / inputScale) + inputZeroPoint, resized as the card says) and runs
// the downloaded .tflite in TensorFlow Lite Micro gets exactly the prediction API's scores.
// The reference here reads every number from the card and does its own arithmetic; only
// TFLite Micro (PyPI tflite-micro, .venv) runs the model.
import Fluent
import Foundation
import Imaging
import Int8Inference
@testable import MinnowCore
@testable import MinnowWorker
import NeuralNet
@testable import MinnowServer
import Testing

@Suite("Prediction API against the model card and TFLite Micro")
struct PredictionParityTests {
    /// A `size`×`size` PNG of deterministic pixels (stripes with noise; `rgb` gives 3 channels).
    static func image(
        seed: Int, size: Int, rgb: Bool = false, everyValue: Bool = false
    ) throws -> (png: Data, pixels: [UInt8]) {
        var state = UInt32(truncatingIfNeeded: seed &* 2_654_435_761 &+ 11)
        func next() -> Int { state = state &* 1_664_525 &+ 1_013_904_223; return Int(state >> 24) }
        let channels = rgb ? 3 : 1
        var pixels = [UInt8]()
        for y in 0..<size {
            for x in 0..<size {
                for c in 0..<channels {
                    if everyValue { pixels.append(UInt8((y * size + x) % 256)); continue }
                    let stripe = ((seed % 2 == 0 ? y : x) * 16 / size) / 2 % 2 == 0
                    pixels.append(UInt8(clamping: (stripe ? 200 : 50) + next() % 90 - 45 + c * 7))
                }
            }
        }
        return (try Image(width: size, height: size, channels: channels, pixels: pixels).pngData(), pixels)
    }

    /// The calibration of a model whose images span pixel values 0...160 gives this input scale.
    /// Pixel 16 is then 16/255/scale = 25.4999988 steps: the card's formula gives 25, while the
    /// float32 arithmetic the API used before rounded 25.5 up to 26 (about a quarter of random
    /// calibrations have such a pixel value; numpy's round(x/255/scale) agrees with the card).
    @Test
    func inputsFollowTheCardsFormulaWhereFloat32WouldRoundTheOtherWay() {
        let scale = Float(bitPattern: 992_035_299)
        let quantizer = InputQuantizer(
            preprocessing: .init(color: .grayscale), quantization: Quantization(scale: scale, zeroPoint: -128))
        #expect(quantizer.table[0][16] == -103)
        #expect(quantizeValue(Float(16) / 255, scale: scale, zeroPoint: -128) == -102, "the float32 path this replaced")
        for p in 0...255 {
            let q = (Double(p) / 255 / Double(scale)).rounded(.toNearestOrEven) - 128  // numpy's round, in float64
            #expect(Double(quantizer.table[0][p]) == max(-128, min(127, q)), "pixel \(p)")
        }
    }

    @Test
    func apiScoresEqualTFLiteMicroFedTheCardsPreprocessing() async throws {
        try await TestServer.with(.sqlite) { server in
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            let base = "/v1/projects/\(project)/iterations/\(iteration)/artifacts"
            let tflite = try await server.request(.GET, base + "/tflite", token: token)
            try #require(tflite.status == 200)
            let card = try await server.request(.GET, base + "/model-card", token: token)
            let input = try #require(card["input"] as? [String: Any]),
                quantization = try #require(card["quantization"] as? [String: Any])
            let (width, height) = (try #require(input["width"] as? Int), try #require(input["height"] as? Int))
            #expect(
                width == 16 && height == 16 && input["colorMode"] as? String == "grayscale"
                    && input["resizeMode"] as? String == "squash")
            let mean = try #require((input["mean"] as? [Double])?.first),
                std = try #require((input["std"] as? [Double])?.first)
            let inScale = try #require(quantization["inputScale"] as? Double),
                inZero = try #require(quantization["inputZeroPoint"] as? Int)
            let outScale = try #require(quantization["outputScale"] as? Double),
                outZero = try #require(quantization["outputZeroPoint"] as? Int)
            #expect(
                (quantization["inputFormula"] as? String)?.contains("halves rounded away from zero") == true,
                "\(quantization)")
            let key = try #require(
                try await server.request(
                    .POST, "/v1/projects/\(project)/deployments", token: token,
                    json: ["name": "card", "iterationId": iteration])["predictionKey"] as? String)

            // The card's formula, in double precision, for one 8-bit pixel.
            func quantised(_ p: UInt8) -> Int8 {
                let q = ((Double(p) / 255 - mean) / std / inScale).rounded(.toNearestOrAwayFromZero) + Double(inZero)
                return Int8(max(-128, min(127, q)))
            }
            // Images at the input size (no resizing), one holding every pixel value 0...255, a colour
            // one (grey by the card's luma weights), and larger ones the card's squash resize halves
            // (each output pixel the rounded mean of a 2×2 block).
            var cases: [(name: String, png: Data, pixels: [UInt8])] = []
            for seed in 0..<6 {
                let i = try Self.image(seed: seed, size: 16); cases.append(("16x16 grey \(seed)", i.png, i.pixels))
            }
            let ramp = try Self.image(seed: 0, size: 16, everyValue: true)
            cases.append(("every value", ramp.png, ramp.pixels))
            let colour = try Self.image(seed: 7, size: 16, rgb: true)
            cases.append(
                (
                    "16x16 colour", colour.png,
                    (0..<256).map { i in
                        let (r, g, b) = (
                            Int(colour.pixels[3 * i]), Int(colour.pixels[3 * i + 1]), Int(colour.pixels[3 * i + 2])
                        )
                        return UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
                    }
                ))
            for seed in 8..<10 {
                let large = try Self.image(seed: seed, size: 32)
                cases.append(
                    (
                        "32x32 grey \(seed), resized", large.png,
                        (0..<256).map { i in
                            let (y, x) = (i / 16 * 2, i % 16 * 2)
                            let block = [
                                large.pixels[y * 32 + x], large.pixels[y * 32 + x + 1], large.pixels[(y + 1) * 32 + x],
                                large.pixels[(y + 1) * 32 + x + 1],
                            ]
                            return UInt8((block.reduce(0) { $0 + Int($1) } + 2) / 4)
                        }
                    ))
            }
            let inputs = cases.flatMap { $0.pixels.map(quantised) }

            // The server's bytes for each image are the card's (checked directly, every pixel).
            let row = try #require(try await Iteration.find(UUID(uuidString: iteration), on: server.app.db))
            let loaded = try LoadedModel(iteration: row, tflite: tflite.body, task: .classification)
            for (index, item) in cases.enumerated() {
                #expect(
                    try loaded.quantizedInput(item.png) == Array(inputs[(index * 256)..<((index + 1) * 256)]),
                    "\(item.name)")
            }

            // TFLite Micro on those bytes, dequantised as the card says, against the API's scores.
            let outputs = try await ReferenceInterpreter.tflm(
                model: tflite.body, inputs: inputs, inputSize: width * height)
            let labels = try #require(card["labels"] as? [String])
            try #require(outputs.count == cases.count * labels.count)
            for (index, item) in cases.enumerated() {
                let answer = try await server.request(
                    .POST, "/v1/predict/card", body: item.png,
                    headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
                let scores = try #require(
                    (answer["predictions"] as? [[String: Any]])?.first?["scores"] as? [[String: Any]], "\(answer.text)")
                let byLabel = Dictionary(
                    uniqueKeysWithValues: scores.map { ($0["label"] as! String, $0["score"] as! Double) })
                let reference = labels.indices.map {
                    outScale * Double(Int(outputs[index * labels.count + $0]) - outZero)
                }
                #expect(
                    labels.map { byLabel[$0] } == reference, "\(item.name): API \(byLabel), TFLite Micro \(reference)")
            }
        }
    }
}
