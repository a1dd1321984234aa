// Turns what a person asked for (every field optional) into the full configuration an
// iteration trains with, choosing defaults from the project and its dataset, and refuses
// configurations the engine cannot train with a message that names the field.
import NeuralNet

package enum TrainingDefaults {
    package struct Refusal: Error {
        package let message: String
        /// The input field the refusal is about (`epochs`, `input`, ...), when there is one.
        package var field: String? = nil

        package init(message: String, field: String? = nil) {
            self.message = message
            self.field = field
        }
    }

    package typealias Configuration = StoredTrainingConfiguration

    /// - Parameters:
    ///   - trainImagesPerLabel: the fewest training images any label has (chooses augmentation).
    ///   - trainImages: images in the training split (chooses the validation fraction).
    package static func resolve(
        _ request: TrainingRequest?, project: Project, classes: Int, trainImagesPerLabel: Int, trainImages: Int
    ) throws(Refusal) -> Configuration {
        let request = request ?? TrainingRequest()
        let detection = project.task == .detection
        let size =
            request.input.map { Configuration.Input(width: $0.width, height: $0.height, colorMode: $0.colorMode) }
            ?? Configuration.Input(width: project.inputWidth, height: project.inputHeight, colorMode: project.colorMode)
        let largest = max(size.width, size.height)
        let architecture = request.architecture ?? (detection ? .fomo : largest <= 48 ? .tinyCnn : .mobilenetV1)
        if detection != (architecture == .fomo) {
            throw Refusal(
                message: detection
                    ? "Detection projects train the fomo architecture."
                    : "fomo is a detector; classification projects train tiny-cnn or mobilenet-v1.",
                field: "architecture")
        }
        let configuration = Configuration(
            architecture: architecture,
            alpha: request.alpha ?? (architecture == .fomo ? 0.35 : 0.25),
            input: size,
            resizeMode: request.resizeMode ?? .squash,
            epochs: request.epochs ?? (architecture == .fomo ? 30 : 20),
            batchSize: request.batchSize ?? (largest <= 48 ? 64 : 32),
            learningRate: request.learningRate ?? 1e-3,
            optimizer: request.optimizer ?? .adam,
            schedule: request.schedule ?? .cosine,
            augmentation: request.augmentation ?? (trainImagesPerLabel < 500),
            validationFraction: request.validationFraction ?? (trainImages >= 20 ? 0.1 : 0),
            earlyStoppingPatience: request.earlyStoppingPatience,
            seed: request.seed ?? 1
        )
        try validate(configuration, classes: classes)
        return configuration
    }

    package static func validate(_ c: Configuration, classes: Int) throws(Refusal) {
        guard (1...500).contains(c.epochs) else {
            throw Refusal(message: "epochs must be 1–500 (got \(c.epochs)).", field: "epochs")
        }
        guard (1...512).contains(c.batchSize) else {
            throw Refusal(message: "batchSize must be 1–512 (got \(c.batchSize)).", field: "batchSize")
        }
        guard c.learningRate > 0, c.learningRate <= 1 else {
            throw Refusal(message: "learningRate must be in (0, 1] (got \(c.learningRate)).", field: "learningRate")
        }
        guard (0...0.5).contains(c.validationFraction) else {
            throw Refusal(message: "validationFraction must be 0–0.5.", field: "validationFraction")
        }
        guard (8...640).contains(c.input.width), (8...640).contains(c.input.height) else {
            throw Refusal(message: "input width and height must be 8–640 pixels.", field: "input")
        }
        if c.architecture == .tinyCnn, max(c.input.width, c.input.height) > 96 {
            throw Refusal(
                message:
                    "tiny-cnn is for small inputs (up to 96 px); choose mobilenet-v1 for \(c.input.width)x\(c.input.height).",
                field: "architecture")
        }
        if c.architecture == .fomo, c.input.width % 8 != 0 || c.input.height % 8 != 0 {
            throw Refusal(
                message: "fomo needs an input whose sides are multiples of 8 (got \(c.input.width)x\(c.input.height)).",
                field: "input")
        }
        do {
            _ = try architecture(c, classes: classes)
        } catch {
            throw Refusal(message: "\(c.architecture.rawValue): \(error)", field: "architecture")
        }
    }

    /// The engine's architecture for a configuration (detection: background + `classes`).
    package static func architecture(_ c: Configuration, classes: Int) throws -> Architecture {
        try ModelZoo.architecture(
            named: c.architecture.rawValue, height: c.input.height, width: c.input.width,
            color: c.input.colorMode,
            classes: c.architecture == .fomo ? classes + 1 : classes, alpha: Float(c.alpha))
    }

    /// The engine's training configuration.
    package static func engineConfiguration(_ c: Configuration) -> TrainingConfiguration {
        TrainingConfiguration(
            epochs: c.epochs, batchSize: c.batchSize, learningRate: Float(c.learningRate),
            optimizer: OptimizerKind.named(c.optimizer.rawValue) ?? .adam,
            schedule: LearningRateSchedule(LearningRateSchedule.Shape.named(c.schedule.rawValue) ?? .constant),
            seed: UInt64(c.seed), earlyStoppingPatience: c.earlyStoppingPatience,
            augmentation: c.augmentation ? .standard(width: c.input.width) : nil)
    }
}
