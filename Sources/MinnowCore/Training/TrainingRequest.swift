// What a person asks an iteration to train with: every field optional; `TrainingDefaults`
// chooses the rest from the project and its dataset and refuses what the engine cannot train.
import Imaging

package struct TrainingRequest: Sendable, Equatable {
    /// A few words for the person (at most 200 characters).
    package var note: String?
    package var architecture: StoredTrainingConfiguration.Architecture?
    /// Width multiplier for mobilenet-v1 and fomo.
    package var alpha: Double?
    package var input: ProjectInput?
    package var resizeMode: ResizeMode?
    package var epochs: Int?
    package var batchSize: Int?
    package var learningRate: Double?
    package var optimizer: StoredTrainingConfiguration.Optimizer?
    package var schedule: StoredTrainingConfiguration.Schedule?
    package var augmentation: Bool?
    /// Part of the training split held out to validate each epoch.
    package var validationFraction: Double?
    package var earlyStoppingPatience: Int?
    package var seed: Int?

    package init(
        note: String? = nil, architecture: StoredTrainingConfiguration.Architecture? = nil, alpha: Double? = nil,
        input: ProjectInput? = nil, resizeMode: ResizeMode? = nil, epochs: Int? = nil, batchSize: Int? = nil,
        learningRate: Double? = nil, optimizer: StoredTrainingConfiguration.Optimizer? = nil,
        schedule: StoredTrainingConfiguration.Schedule? = nil, augmentation: Bool? = nil,
        validationFraction: Double? = nil,
        earlyStoppingPatience: Int? = nil, seed: Int? = nil
    ) {
        self.note = note
        self.architecture = architecture
        self.alpha = alpha
        self.input = input
        self.resizeMode = resizeMode
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.schedule = schedule
        self.augmentation = augmentation
        self.validationFraction = validationFraction
        self.earlyStoppingPatience = earlyStoppingPatience
        self.seed = seed
    }
}
