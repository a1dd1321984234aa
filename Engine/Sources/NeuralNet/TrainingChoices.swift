// The training choices people name in commands and API requests (`adam`, `cosine`,
// `augment`), mapped once to the engine's types so every front end means the same thing.

extension OptimizerKind {
    /// Names accepted by `named(_:)`.
    public static let choices = ["adam", "adamw", "sgd"]

    /// `adam` (Keras defaults), `adamw` (weight decay 1e-4) or `sgd` (momentum 0.9); nil otherwise.
    public static func named(_ name: String) -> OptimizerKind? {
        switch name {
        case "adam": .adam
        case "adamw": .adamW(weightDecay: 1e-4)
        case "sgd": .sgd
        default: nil
        }
    }
}

extension LearningRateSchedule.Shape {
    /// Names accepted by `named(_:)`.
    public static let choices = ["constant", "cosine", "step"]

    /// `constant`, `cosine` (to 1% of the base rate) or `step` (halved every 10 epochs); nil otherwise.
    public static func named(_ name: String) -> LearningRateSchedule.Shape? {
        switch name {
        case "constant": .constant
        case "cosine": .cosine(minimumFraction: 0.01)
        case "step": .step(everyEpochs: 10, factor: 0.5)
        default: nil
        }
    }
}

extension Augmentation {
    /// The standard augmentation for an input `width` pixels wide: random horizontal flip,
    /// shifts up to 1/14 of the width, rotation up to 8°, ±10% brightness and contrast, light noise.
    public static func standard(width: Int) -> Augmentation {
        Augmentation(
            horizontalFlip: true, maxTranslation: max(1, width / 14), maxRotationDegrees: 8,
            brightness: 0.1, contrast: 0.1, noise: 0.02)
    }
}
