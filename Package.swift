// swift-tools-version: 6.1
// Minnow: a self-hosted TinyML platform. This package holds the server, the API contract
// and the command-line client; the learning engine is the local package in Engine/.
import PackageDescription

/// The engine modules the core, the worker and the server read models and images with.
let engineModules: [Target.Dependency] = ["Imaging", "NeuralNet", "Int8Inference", "TFLite", "Firmware"].map {
    .product(name: $0, package: "Engine")
}

/// Both databases, through FluentKit's drivers (no Vapor).
let databaseDrivers: [Target.Dependency] = [
    .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
    .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
    .product(name: "SQLKit", package: "sql-kit"),
]

let package = Package(
    name: "Minnow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "minnow", targets: ["minnow"])
    ],
    dependencies: [
        .package(path: "Engine"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // The HTTP contract: types, server stubs and client, generated from openapi.yaml at build time.
        .target(
            name: "APITypes",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            resources: [.copy("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The persistent core: Fluent models and migrations, blobs, the job queue, datasets and
        // the domain actions shared by the server and the worker. No Vapor, no API types (the
        // server converts at its edge): FluentKit and the drivers.
        .target(
            name: "MinnowCore",
            dependencies: [
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "BinaryFormats", package: "Engine"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ] + databaseDrivers + engineModules
        ),
        // Job execution (`minnow worker`): training, evaluation, firmware builds. No Vapor, no web.
        .target(
            name: "MinnowWorker",
            dependencies: [
                "MinnowCore",
                .product(name: "FluentKit", package: "fluent-kit"),
            ] + engineModules
        ),
        // The Vapor app: configuration, authentication, API handlers, web pages, operations routes.
        .target(
            name: "MinnowServer",
            dependencies: [
                "APITypes",
                "MinnowCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ] + databaseDrivers + engineModules,
            resources: [.copy("Web/Assets")]  // the web app's script and stylesheet, read at start-up
        ),
        // The bridge agent's device side: USB discovery from sysfs, serial ports, flashers and the
        // board line protocol. Foundation only: no server, no HTTP.
        .target(name: "MinnowBridge"),
        .target(
            name: "MinnowCLI",
            dependencies: [
                "APITypes",
                "MinnowCore",
                "MinnowWorker",
                "MinnowServer",
                "MinnowBridge",
                .product(name: "EngineCommands", package: "Engine"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(name: "minnow", dependencies: ["MinnowCLI"]),
        .testTarget(name: "MinnowBridgeTests", dependencies: ["MinnowBridge"]),
        .testTarget(
            name: "MinnowTests",
            dependencies: [
                "MinnowCore",
                "MinnowWorker",
                "MinnowServer",
                "MinnowBridge",
                "minnow",
                .product(name: "BinaryFormats", package: "Engine"),
                .product(name: "Imaging", package: "Engine"),
                .product(name: "Int8Inference", package: "Engine"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
