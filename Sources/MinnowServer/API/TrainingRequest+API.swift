// The API edge of what a person asks an iteration to train with (`TrainingRequest`).
import APITypes
import MinnowCore

extension TrainingRequest {
    init(_ wire: Components.Schemas.TrainingConfigurationInput) {
        self.init(
            note: wire.note, architecture: wire.architecture?.domain, alpha: wire.alpha,
            input: wire.input.map(ProjectInput.init),
            resizeMode: wire.resizeMode?.domain, epochs: wire.epochs, batchSize: wire.batchSize,
            learningRate: wire.learningRate,
            optimizer: wire.optimizer?.domain, schedule: wire.schedule?.domain, augmentation: wire.augmentation,
            validationFraction: wire.validationFraction, earlyStoppingPatience: wire.earlyStoppingPatience,
            seed: wire.seed)
    }
}
