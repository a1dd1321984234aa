// LabeledImages: preprocessed images in one (N, H, W, C) tensor with their labels, the
// unit the trainer consumes; and Batch, one prepared mini-batch. Not a file loader: the
// TrainingData module turns folders and IDX files into these.

/// Preprocessed images and labels.
public struct LabeledImages: Sendable {
    /// `(N, H, W, C)`, already normalised.
    public var images: Tensor
    /// `labelsPerImage` labels per image: 1 class for classification, `GH·GW` cell classes for FOMO.
    public var labels: [Int]
    public var labelsPerImage: Int

    public init(images: Tensor, labels: [Int], labelsPerImage: Int = 1) {
        precondition(
            labels.count == images.batchSize * labelsPerImage, "LabeledImages: label count does not match images")
        self.images = images
        self.labels = labels
        self.labelsPerImage = labelsPerImage
    }

    public var count: Int { images.batchSize }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        var picked: [Int] = []
        picked.reserveCapacity(indices.count * labelsPerImage)
        for index in indices { picked += labels[(index * labelsPerImage)..<((index + 1) * labelsPerImage)] }
        return LabeledImages(images: images.gather(indices), labels: picked, labelsPerImage: labelsPerImage)
    }

    /// A seeded split into (first, second) with `fraction` of the images in the second.
    public func split(fraction: Float, seed: UInt64) -> (LabeledImages, LabeledImages) {
        var rng = SeededRandom(seed: seed)
        let order = rng.permutation(count)
        let cut = count - Int((Float(count) * fraction).rounded())
        return (subset(Array(order[..<cut])), subset(Array(order[cut...])))
    }
}

/// One mini-batch ready for a training step.
public struct Batch: Sendable {
    public var images: Tensor
    public var labels: [Int]

    public init(images: Tensor, labels: [Int]) {
        self.images = images
        self.labels = labels
    }
}
