// `minnow run MODEL.tflite IMAGE...`: runs the Swift int8 runtime (bit-exact with TFLite
// Micro) on image files and prints, per image, the raw int8 output and the dequantised scores.

import ArgumentParser
import Foundation
import Int8Inference
import TFLite

public struct RunModel: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an int8 .tflite on images with Minnow's int8 runtime.",
        discussion: """
            Images (JPEG or PNG) are fitted to the model's input with the preprocessing stored in \
            the model (Minnow models) or squashed (others), quantised, and run exactly as TFLite \
            Micro runs them. Prints the top label and scores; --json prints one object per image \
            with the raw int8 output tensor and the dequantised scores.

            Example: minnow run fashion.tflite shoe.png shirt.jpg --json
            """)

    @Argument(help: ArgumentHelp("Int8 .tflite model.", valueName: "model")) var model: String
    @Argument(help: ArgumentHelp("Image files.", valueName: "image")) var images: [String]
    @Flag(help: "Print one JSON object per image.") var json = false

    public init() {}

    public func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one IMAGE") }
    }

    /// One image's result: raw int8 output, dequantised scores, top label and its index.
    public struct Result: Encodable, Sendable {
        public var image: String
        public var output: [Int8]
        public var scores: [Float]
        public var label: String
        public var index: Int
    }

    /// Runs `images` through the int8 model at `modelPath`.
    public static func results(modelPath: String, images: [String]) throws -> [Result] {
        let int8: Int8Model
        let runtime: Int8Runtime
        do {
            int8 = try TFLiteReader.read(contentsOf: modelPath)
            runtime = try Int8Runtime(int8)
        } catch {
            throw ValidationError("cannot load \(modelPath): \(error)")
        }
        return try images.map { path in
            let input: [Int8]
            do { input = try Int8CommandSupport.quantizedInput(imageAt: path, for: int8) } catch {
                throw ValidationError("cannot read image \(path): \(error)")
            }
            let output = runtime.run(input)
            let scores = int8.dequantizeOutput(output)
            let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
            return Result(
                image: path, output: output, scores: scores,
                label: best < int8.labels.count ? int8.labels[best] : "class \(best)", index: best)
        }
    }

    public func run() throws {
        for result in try Self.results(modelPath: model, images: images) {
            if json {
                print(try Int8CommandSupport.json(result))
            } else {
                print("\(result.image): \(result.label) (\(String(format: "%.3f", result.scores[result.index])))")
            }
        }
    }
}
