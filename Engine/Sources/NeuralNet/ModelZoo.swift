// ModelZoo: the named architectures users pick from — tiny-cnn, mobilenet-v1 (width
// multiplier α, 32–160 px, gray or RGB) and fomo (MobileNet-style backbone cut at 1/8
// resolution + per-cell classifier). Each returns an `Architecture` (data), never layers.
import Imaging

/// Named, parameterised architectures.
public enum ModelZoo {
    /// Names accepted by `architecture(named:...)`.
    public static let names = ["tiny-cnn", "mobilenet-v1", "fomo"]

    /// One-line descriptions for listings.
    public static let summaries: [String: String] = [
        "tiny-cnn": "2 conv blocks + dense (<100K parameters); for small inputs such as 28x28",
        "mobilenet-v1": "MobileNetV1 with width multiplier alpha 0.1-1.0, 32-160 px, gray or RGB",
        "fomo": "FOMO object detector: MobileNet backbone cut at 1/8 resolution + per-cell classifier",
    ]

    public enum ZooError: Error, CustomStringConvertible {
        case unknown(String)
        case invalid(String)
        public var description: String {
            switch self {
            case let .unknown(name):
                "unknown architecture '\(name)'; choose one of: \(ModelZoo.names.joined(separator: ", "))"
            case let .invalid(why): why
            }
        }
    }

    /// The architecture `name` for an input and class count.
    public static func architecture(
        named name: String, height: Int, width: Int, color: ColorMode,
        classes: Int, alpha: Float = 0.25
    ) throws -> Architecture {
        switch name {
        case "tiny-cnn": return tinyCNN(height: height, width: width, channels: color.channels, classes: classes)
        case "mobilenet-v1":
            try validate(alpha: alpha, height: height, width: width)
            return mobileNetV1(alpha: alpha, height: height, width: width, channels: color.channels, classes: classes)
        case "fomo":
            try validate(alpha: alpha, height: height, width: width)
            return fomo(alpha: alpha, height: height, width: width, channels: color.channels, classes: classes)
        default: throw ZooError.unknown(name)
        }
    }

    static func validate(alpha: Float, height: Int, width: Int) throws {
        guard (0.1...1.0).contains(alpha) else {
            throw ZooError.invalid("alpha must be between 0.1 and 1.0, got \(alpha)")
        }
        guard (32...160).contains(height), (32...160).contains(width) else {
            throw ZooError.invalid("input size must be 32-160 px per side, got \(width)x\(height)")
        }
    }

    /// Conv(16, 3, ReLU)–MaxPool(2)–Conv(32, 3, ReLU)–MaxPool(2)–Flatten–Dense(classes),
    /// valid padding: 12,810 parameters at 28×28×1 with 10 classes (workload A).
    public static func tinyCNN(
        height: Int = 28, width: Int = 28, channels: Int = 1, classes: Int = 10,
        filters: (Int, Int) = (16, 32), dropout: Float = 0
    ) -> Architecture {
        var layers: [LayerSpec] = [
            .conv2d(filters: filters.0, kernel: 3, stride: 1, padding: .valid, bias: true), .relu,
            .maxPool(size: 2, stride: 2, padding: .valid),
            .conv2d(filters: filters.1, kernel: 3, stride: 1, padding: .valid, bias: true), .relu,
            .maxPool(size: 2, stride: 2, padding: .valid),
            .flatten,
        ]
        if dropout > 0 { layers.append(.dropout(rate: dropout)) }
        layers.append(.linear(units: classes, bias: true))
        return Architecture(
            name: "tiny-cnn", inputHeight: height, inputWidth: width, inputChannels: channels,
            classes: classes, layers: layers)
    }

    /// MobileNetV1 depthwise-separable blocks `(pointwise filters at α = 1, stride)`.
    static let mobileNetBlocks: [(Int, Int)] = [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ]

    static func scaled(_ filters: Int, _ alpha: Float) -> Int { max(8, Int((Float(filters) * alpha).rounded())) }

    /// Stem conv + the first `blocks` depthwise-separable blocks (conv–BN–ReLU6 each).
    static func mobileNetBackbone(alpha: Float, blocks: Int) -> [LayerSpec] {
        var layers: [LayerSpec] = [
            .conv2d(filters: scaled(32, alpha), kernel: 3, stride: 2, padding: .same, bias: false),
            .batchNorm(momentum: 0.99, epsilon: 1e-3), .relu6,
        ]
        for (filters, stride) in mobileNetBlocks.prefix(blocks) {
            layers += [
                .depthwiseConv2d(kernel: 3, stride: stride, padding: .same, bias: false),
                .batchNorm(momentum: 0.99, epsilon: 1e-3), .relu6,
                .conv2d(filters: scaled(filters, alpha), kernel: 1, stride: 1, padding: .same, bias: false),
                .batchNorm(momentum: 0.99, epsilon: 1e-3), .relu6,
            ]
        }
        return layers
    }

    /// MobileNetV1(α) with global average pooling, dropout 0.001 omitted, and a dense head
    /// (Keras's 1x1-conv head on a 1x1 map is the same computation).
    public static func mobileNetV1(
        alpha: Float = 0.25, height: Int = 96, width: Int = 96, channels: Int = 1,
        classes: Int = 2
    ) -> Architecture {
        let layers =
            mobileNetBackbone(alpha: alpha, blocks: mobileNetBlocks.count)
            + [.globalAvgPool, .linear(units: classes, bias: true)]
        return Architecture(
            name: "mobilenet-v1", inputHeight: height, inputWidth: width, inputChannels: channels,
            classes: classes, layers: layers)
    }

    /// FOMO: MobileNetV1(α) cut after the stride-8 blocks, then a 1x1 conv (32) + ReLU and a
    /// 1x1 conv to `classes` (background = class 0) per cell of the 1/8 grid.
    public static func fomo(
        alpha: Float = 0.35, height: Int = 96, width: Int = 96, channels: Int = 1,
        classes: Int = 2
    ) -> Architecture {
        let layers =
            mobileNetBackbone(alpha: alpha, blocks: 5) + [
                .conv2d(filters: 32, kernel: 1, stride: 1, padding: .same, bias: true), .relu,
                .conv2d(filters: classes, kernel: 1, stride: 1, padding: .same, bias: true),
            ]
        return Architecture(
            name: "fomo", task: .detection, inputHeight: height, inputWidth: width,
            inputChannels: channels, classes: classes, layers: layers)
    }
}
