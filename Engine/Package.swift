// swift-tools-version: 6.1
// The Minnow engine: training, int8 quantisation and runtime, .tflite, image decoding.
// A package of its own so that it builds and tests in a minute without the server stack,
// and so that nothing heavier than Foundation and C libraries can leak into it.
// Every target is compiled optimised, even in debug and test builds.
import PackageDescription

// `-wmo` only in release: in debug builds SwiftPM's index store plus -wmo fails with
// "index output filenames do not match input source files" once a target has two files.
let optimised: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"]),
    .unsafeFlags(["-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "MinnowEngine",
    products: [
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Int8", targets: ["Int8"]),
        .library(name: "TFLite", targets: ["TFLite"]),
        .library(name: "Firmware", targets: ["Firmware"]),
        .library(name: "TrainingData", targets: ["TrainingData"]),
        .library(name: "EngineCommands", targets: ["EngineCommands"]),
        .executable(name: "minnow-engine", targets: ["MinnowEngineCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - NeuralNet (issue 4)
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "SystemZlib", path: "Sources/SystemZlib"),  // not "CZlib": ZIPFoundation, in the root package, has that module name
        .target(name: "NeuralNet", dependencies: ["COpenBLAS"], swiftSettings: optimised),
        .target(name: "TrainingData", dependencies: ["NeuralNet", "Imaging", "SystemZlib"], swiftSettings: optimised),
        .target(name: "EngineCommands", dependencies: [
            "NeuralNet", "TrainingData", "Int8", "TFLite", "Firmware", "Imaging",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimised),
        .executableTarget(name: "MinnowEngineCLI", dependencies: [
            "EngineCommands", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimised),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TrainingData", "EngineCommands"], swiftSettings: optimised),

        // MARK: - Imaging
        .target(name: "CImageCodecs", path: "Sources/CImageCodecs",
                cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16"), .linkedLibrary("z")]),
        .target(name: "Imaging", dependencies: ["CImageCodecs"], swiftSettings: optimised),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: optimised),

        // MARK: - Int8 and TFLite (issue 5)
        .target(name: "Int8", dependencies: ["NeuralNet"], swiftSettings: optimised),
        .target(name: "TFLite", dependencies: ["Int8"], swiftSettings: optimised),
        .target(name: "Firmware", dependencies: ["Int8", "TFLite"], swiftSettings: optimised),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware", "TFLite", "Int8", "NeuralNet", "TrainingData", "EngineCommands", "Imaging"], swiftSettings: optimised),
        .executableTarget(name: "Int8Benchmark", dependencies: ["TFLite", "TrainingData", "Firmware"], swiftSettings: optimised),
        .testTarget(name: "Int8Tests", dependencies: ["Int8", "NeuralNet"], swiftSettings: optimised),
        .testTarget(name: "TFLiteTests", dependencies: ["TFLite", "Int8", "NeuralNet", "TrainingData"], swiftSettings: optimised),
    ],
    swiftLanguageModes: [.v6]
)
