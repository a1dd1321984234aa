// A synthetic object-detection set for testing FOMO end to end: small shapes (class 1: a
// filled square, class 2: a plus sign) pasted at random positions on noisy gradient
// backgrounds, with their centroids and the matching per-cell label map. Seeded.

import NeuralNet

public enum SyntheticDetection {
    public static let labels = ["background", "square", "plus"]

    /// `count` gray images of `size`×`size` with 1–3 objects each, labelled on a
    /// `size / 8` grid. Returns the training set and the true centroids in cell units.
    public static func make(count: Int, size: Int = 48, seed: UInt64) -> (data: LabeledImages, centroids: [[Centroid]])
    {
        var rng = SeededRandom(seed: seed)
        let grid = size / 8
        var pixels = [Float](repeating: 0, count: count * size * size)
        var cellLabels: [Int] = []
        var centroids: [[Centroid]] = []
        for image in 0..<count {
            let base = image * size * size
            let (gx, gy, level) = (rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2), rng.uniform(0.2, 0.4))
            for y in 0..<size {
                for x in 0..<size {
                    pixels[base + y * size + x] =
                        level + gx * Float(x) / Float(size) + gy * Float(y) / Float(size) + 0.05 * rng.normal()
                }
            }
            var objects: [(x: Float, y: Float, label: Int)] = []
            var usedCells = Set<Int>()
            for _ in 0..<(1 + rng.int(3)) {
                let cx = 4 + rng.int(size - 8), cy = 4 + rng.int(size - 8)
                let cell = (cy * grid / size) * grid + cx * grid / size
                // Keep objects at least one cell apart so each is one detection.
                let neighbours = [
                    cell, cell - 1, cell + 1, cell - grid, cell + grid, cell - grid - 1, cell - grid + 1,
                    cell + grid - 1, cell + grid + 1,
                ]
                if neighbours.contains(where: usedCells.contains) { continue }
                usedCells.insert(cell)
                let label = 1 + rng.int(2)
                let brightness = rng.uniform(0.75, 1)
                for dy in -3...3 {
                    for dx in -3...3 {
                        let inShape = label == 1 ? (abs(dx) <= 2 && abs(dy) <= 2) : (dx == 0 || dy == 0)
                        if inShape { pixels[base + (cy + dy) * size + cx + dx] = brightness }
                    }
                }
                objects.append((Float(cx) + 0.5, Float(cy) + 0.5, label))
            }
            cellLabels += FOMO.cellLabels(
                objects: objects, imageWidth: size, imageHeight: size, gridWidth: grid, gridHeight: grid)
            centroids.append(
                objects.map {
                    Centroid(
                        x: Float(Int($0.x) * grid / size) + 0.5, y: Float(Int($0.y) * grid / size) + 0.5,
                        label: $0.label)
                })
        }
        let data = LabeledImages(
            images: Tensor(shape: [count, size, size, 1], data: pixels), labels: cellLabels,
            labelsPerImage: grid * grid)
        return (data, centroids)
    }
}
