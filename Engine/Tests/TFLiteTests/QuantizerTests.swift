// Post-training quantisation end to end: a NeuralNet model trained on Fashion-MNIST
// (workload A) is quantised, exported as .tflite, and (1) loses at most 0.5 accuracy points
// against float on the whole test set, (2) runs in TFLite Micro and LiteRT's built-in
// kernels with outputs identical to our runtime. A MobileNet-style model with batch norm,
// ReLU6, depthwise convolution and global average pooling checks folding and those kernels.

import Foundation
import Int8Inference
import NeuralNet
import Testing
import TFLite
import TrainingData

@Suite(
    "Post-training quantisation", .serialized,
    .enabled(if: ReferenceTools.shouldRun, "needs .venv (make venv) and dataset-fashion-mnist"))
struct QuantizerTests {
    @Test func workloadAKeepsAccuracyAndMatchesReferences() throws {
        // setup: train workload A for one epoch
        let (train, test) = try FashionMNIST.load()
        let model = Model(architecture: ModelZoo.tinyCNN(), seed: 1, labels: FashionMNIST.classNames)
        _ = Trainer(
            model: model,
            configuration: TrainingConfiguration(
                epochs: 1, batchSize: 64, learningRate: 1e-3, optimizer: .adam, seed: 1)
        )
        .fit(train: train)
        // act
        let int8 = try PostTrainingQuantizer.quantize(model, calibration: train.images.slice(0..<500))
        let bytes = try TFLiteWriter.serialize(int8)
        let runtime = try Int8Runtime(TFLiteReader.read(bytes))
        let floatAccuracy = model.report(on: test).accuracy
        let int8Accuracy = runtime.accuracy(on: test)
        // check: accuracy
        print(
            "workload A: float \(floatAccuracy), int8 \(int8Accuracy), .tflite \(bytes.count) bytes, arena \(runtime.arenaSize) bytes"
        )
        #expect(abs(Double(floatAccuracy) - Double(int8Accuracy)) <= 0.005)
        #expect(
            int8.nodes.map(\.op.name) == [
                "CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX",
            ])
        // check: outside references on real inputs
        let inputs = (0..<300).map { i in int8.quantizeInput(Array(test.images.data[(i * 784)..<((i + 1) * 784)])) }
        let ours = inputs.map(runtime.run)
        #expect(try ReferenceTools.run(engine: "tflm", model: bytes, inputs: inputs) == ours)
        // LiteRT rounds the requantisation once (TFLM twice): exact ties may land one unit apart,
        // and one unit of a logit moves the int8 softmax output (scale 1/256) by up to
        // 256·p(1−p)·(logit scale) units: several where a class's probability is near 1/2
        // (seen: 0.33 % of outputs differ, by at most 6; the top class always agrees).
        let litert = ReferenceTools.compare(
            ours, try ReferenceTools.run(engine: "litert-builtin", model: bytes, inputs: inputs))
        print("LiteRT built-in kernels vs ours: \(litert)")
        #expect(litert.differingFraction <= 0.02 && litert.maxDifference <= 8 && litert.topClassAgreement >= 0.99)
    }

    @Test func foldsBatchNormAndRunsDepthwiseAndMeanLikeTFLiteMicro() throws {
        // setup: a small MobileNet-style model with non-trivial batch-norm statistics (convolutions
        // keep a bias so that folding (b − mean)·s + beta is exercised)
        let arch = Architecture(
            name: "mini-mobilenet", inputHeight: 16, inputWidth: 16, inputChannels: 3, classes: 4,
            layers: [
                .conv2d(filters: 8, kernel: 3, stride: 2, padding: .same, bias: true),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .depthwiseConv2d(kernel: 3, stride: 1, padding: .same, bias: true),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu6,
                .conv2d(filters: 12, kernel: 1, stride: 1, padding: .same, bias: true),
                .batchNorm(momentum: 0.9, epsilon: 1e-3), .relu,
                .avgPool(size: 2, stride: 2, padding: .valid), .globalAvgPool, .linear(units: 4, bias: true),
            ])
        let model = Model(architecture: arch, seed: 3)
        var rng = SeededRandom(seed: 9)
        for case let norm as BatchNorm in model.layers {
            norm.gamma.value = norm.gamma.value.map { _ in rng.uniform(0.5, 1.5) }
            norm.beta.value = norm.beta.value.map { _ in rng.uniform(-0.2, 0.2) }
            norm.runningMean.value = norm.runningMean.value.map { _ in rng.uniform(-0.1, 0.1) }
            norm.runningVariance.value = norm.runningVariance.value.map { _ in rng.uniform(0.5, 2) }
        }
        let images = Tensor(shape: [64, 16, 16, 3], data: (0..<(64 * 768)).map { _ in rng.uniform(0, 1) })
        // act
        let int8 = try PostTrainingQuantizer.quantize(model, calibration: images)
        let bytes = try TFLiteWriter.serialize(int8)
        let runtime = try Int8Runtime(int8)
        let inputs = (0..<64).map { i in int8.quantizeInput(Array(images.data[(i * 768)..<((i + 1) * 768)])) }
        let ours = inputs.map(runtime.run)
        // check: operators, outside reference, closeness to float probabilities
        #expect(
            int8.nodes.map(\.op.name) == [
                "CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "AVERAGE_POOL_2D", "MEAN", "FULLY_CONNECTED", "SOFTMAX",
            ])
        #expect(try ReferenceTools.run(engine: "tflm", model: bytes, inputs: inputs) == ours)
        let probabilities = model.predict(images)
        let worst = ours.enumerated().map { i, output in
            zip(int8.dequantizeOutput(output), probabilities.data[(i * 4)..<((i + 1) * 4)]).map { abs($0 - $1) }.max()!
        }.max()!
        #expect(worst < 0.05, "int8 probabilities differ from float by up to \(worst)")
    }
}
