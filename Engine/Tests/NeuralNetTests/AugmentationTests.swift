// Augmentation: seeded, label-consistent, and only what was asked for.

import Testing
@testable import NeuralNet

@Suite("Augmentation")
struct AugmentationTests {
    static func batch() -> Batch {
        var rng = SeededRandom(seed: 1)
        return Batch(images: randomTensor([16, 4, 6, 1], rng: &rng), labels: (0..<(16 * 2 * 3)).map { $0 % 5 })
    }

    static func mirrored(_ image: ArraySlice<Float>, height: Int, width: Int) -> [Float] {
        let values = Array(image)
        return (0..<height).flatMap { y in (0..<width).reversed().map { x in values[y * width + x] } }
    }

    @Test("Same seed, same result; another seed, another result")
    func seeded() {
        let augmentation = Augmentation(
            horizontalFlip: true, maxTranslation: 1, maxRotationDegrees: 10, brightness: 0.1, noise: 0.05)
        func run(_ seed: UInt64) -> Batch {
            var batch = Self.batch(), rng = SeededRandom(seed: seed)
            augmentation.apply(to: &batch, labelGrid: nil, rng: &rng)
            return batch
        }
        #expect(run(3).images == run(3).images)
        #expect(run(3).images != run(4).images)
        #expect(run(3).labels == Self.batch().labels)
    }

    @Test("A flip mirrors the image and, for detection, its label grid")
    func flipDetection() {
        let original = Self.batch()
        var batch = original, rng = SeededRandom(seed: 5)
        Augmentation(horizontalFlip: true, maxTranslation: 0).apply(to: &batch, labelGrid: (2, 3), rng: &rng)
        var flipped = 0
        for image in 0..<16 {
            let before = original.images.data[(image * 24)..<((image + 1) * 24)]
            let after = Array(batch.images.data[(image * 24)..<((image + 1) * 24)])
            let labelsBefore = Array(original.labels[(image * 6)..<((image + 1) * 6)])
            let labelsAfter = Array(batch.labels[(image * 6)..<((image + 1) * 6)])
            if after == Array(before) {
                #expect(labelsAfter == labelsBefore)
            } else {
                flipped += 1
                #expect(after == Self.mirrored(before, height: 4, width: 6))
                #expect(
                    labelsAfter == Self.mirrored(labelsBefore.map(Float.init)[...], height: 2, width: 3).map { Int($0) }
                )
            }
        }
        #expect(flipped > 2 && flipped < 14)
    }
}
