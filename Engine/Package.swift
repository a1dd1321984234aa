// swift-tools-version: 6.1
// The Minnow engine: training, int8 quantisation and runtime, .tflite, image decoding.
// A package of its own so that it builds and tests in a minute without the server stack,
// and so that nothing heavier than Foundation and C libraries can leak into it.
// Every target is compiled optimised, even in debug and test builds.
import PackageDescription

let optimised: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"])]

let package = Package(
    name: "MinnowEngine",
    products: [
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Int8", targets: ["Int8"]),
        .library(name: "TFLite", targets: ["TFLite"]),
    ],
    targets: [
        // MARK: - NeuralNet (issue 4)
        .target(name: "NeuralNet", swiftSettings: optimised),

        // MARK: - Imaging
        .target(name: "Imaging", swiftSettings: optimised),

        // MARK: - Int8 and TFLite (issue 5)
        .target(name: "Int8", dependencies: ["NeuralNet"], swiftSettings: optimised),
        .target(name: "TFLite", dependencies: ["Int8"], swiftSettings: optimised),
    ],
    swiftLanguageModes: [.v6]
)
