// Our writer's output is read back unchanged by our reader, and is loaded and run by TFLite
// Micro with outputs identical to our runtime's (the writer is tested against the reader
// *and* against the outside reference, so a shared misunderstanding cannot pass).

import Foundation
import Int8Inference
import NeuralNet
import Testing
import TFLite

@Suite("TFLite writer", .enabled(if: ReferenceTools.shouldRun, "needs .venv (make venv) and dataset-fashion-mnist"))
struct WriterTests {
    @Test func roundTripsThroughOurReader() throws {
        // setup
        var model = try TFLiteReader.read(contentsOf: TensorFlowFixtureTests.path)
        model.labels = [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ]
        model.preprocessing = Preprocessing(color: .grayscale, resizeMode: .letterbox)
        // act
        let back = try TFLiteReader.read(try TFLiteWriter.serialize(model))
        // check
        #expect(back.tensors == model.tensors)
        #expect(back.nodes == model.nodes)
        #expect(back.labels == model.labels)
        #expect(back.preprocessing == model.preprocessing)
    }

    @Test func rewrittenModelRunsIdenticallyInTFLiteMicroAndLiteRT() throws {
        // setup
        let model = try TFLiteReader.read(contentsOf: TensorFlowFixtureTests.path)
        let bytes = try TFLiteWriter.serialize(model)
        let runtime = try Int8Runtime(model)
        let inputs = ReferenceTools.quantize(try ReferenceTools.fashionTest(count: 100).images, for: model)
        // act
        let ours = inputs.map(runtime.run)
        let tflm = try ReferenceTools.run(engine: "tflm", model: bytes, inputs: inputs)
        let litert = try ReferenceTools.run(engine: "litert-builtin", model: bytes, inputs: inputs)
        // check
        #expect(ours == tflm)
        #expect(ours == litert)
    }
}
