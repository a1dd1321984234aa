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

// The AVX2/FMA copies of the int8 and training kernels: the same Swift source compiled for
// x86-64-v3 class CPUs (Haswell and later), chosen at run time only on CPUs that have them.
#if arch(x86_64)
let avx2: [SwiftSetting] = optimised + [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let avx2: [SwiftSetting] = optimised
#endif

let package = Package(
    name: "MinnowEngine",
    products: [
        .library(name: "BinaryFormats", targets: ["BinaryFormats"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Int8Inference", targets: ["Int8Inference"]),
        .library(name: "TFLite", targets: ["TFLite"]),
        .library(name: "Firmware", targets: ["Firmware"]),
        .library(name: "TrainingData", targets: ["TrainingData"]),
        .library(name: "EngineCommands", targets: ["EngineCommands"]),
        .executable(name: "minnow-engine", targets: ["MinnowEngineCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // MARK: - BinaryFormats: little-endian integers and ZIP archives, below everything else
        .target(name: "BinaryFormats", dependencies: ["SystemZlib"], swiftSettings: optimised),
        .testTarget(name: "BinaryFormatsTests", dependencies: ["BinaryFormats"], swiftSettings: optimised),

        // MARK: - NeuralNet (issue 4)
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // not "CZlib": ZIPFoundation, in the root package, has that module name
        .systemLibrary(name: "SystemZlib", path: "Sources/SystemZlib"),
        // Imaging: ColorMode, ResizeMode
        // TrainingKernels: the layers' hot loops, compiled again for AVX2/FMA by TrainingKernelsAVX2
        .target(name: "TrainingKernels", swiftSettings: optimised),
        .target(name: "TrainingKernelsAVX2", dependencies: ["TrainingKernels"], swiftSettings: avx2),
        .target(
            name: "NeuralNet",
            dependencies: [
                "COpenBLAS", "Imaging", "BinaryFormats", "TrainingKernels", "TrainingKernelsAVX2", "CPUFeatures",
            ], swiftSettings: optimised),
        .target(name: "TrainingData", dependencies: ["NeuralNet", "Imaging", "SystemZlib"], swiftSettings: optimised),
        .target(
            name: "EngineCommands",
            dependencies: [
                "NeuralNet", "TrainingData", "Int8Inference", "TFLite", "Firmware", "Imaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: optimised),
        .executableTarget(
            name: "MinnowEngineCLI",
            dependencies: [
                "EngineCommands", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: optimised),
        .testTarget(
            name: "NeuralNetTests",
            dependencies: ["NeuralNet", "TrainingData", "EngineCommands", "TrainingKernels", "TrainingKernelsAVX2"],
            swiftSettings: optimised),

        // MARK: - Imaging
        .target(
            name: "CImageCodecs", path: "Sources/CImageCodecs",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16"), .linkedLibrary("z")]),
        .target(name: "Imaging", dependencies: ["CImageCodecs"], swiftSettings: optimised),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: optimised),

        // MARK: - Int8 and TFLite (issue 5)
        .target(name: "Int8Kernels", swiftSettings: optimised),
        .target(name: "Int8KernelsAVX2", dependencies: ["Int8Kernels"], swiftSettings: avx2),
        .target(name: "CPUFeatures", path: "Sources/CPUFeatures"),
        .target(
            name: "Int8Inference", dependencies: ["NeuralNet", "Int8Kernels", "Int8KernelsAVX2", "CPUFeatures"],
            swiftSettings: optimised),
        .target(name: "TFLite", dependencies: ["Int8Inference", "BinaryFormats"], swiftSettings: optimised),
        .target(
            name: "Firmware", dependencies: ["Int8Inference", "TFLite", "BinaryFormats"], swiftSettings: optimised),
        .testTarget(
            name: "FirmwareTests",
            dependencies: [
                "Firmware", "TFLite", "Int8Inference", "NeuralNet", "TrainingData", "EngineCommands", "Imaging",
            ], swiftSettings: optimised),
        .executableTarget(
            name: "Int8Benchmark", dependencies: ["TFLite", "TrainingData", "Firmware"], swiftSettings: optimised),
        .testTarget(
            name: "Int8Tests", dependencies: ["Int8Inference", "Int8Kernels", "Int8KernelsAVX2", "NeuralNet"],
            swiftSettings: optimised),
        .testTarget(
            name: "TFLiteTests", dependencies: ["TFLite", "Int8Inference", "NeuralNet", "TrainingData"],
            swiftSettings: optimised),
    ],
    swiftLanguageModes: [.v6]
)
