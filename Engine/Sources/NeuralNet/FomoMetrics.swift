// FOMO evaluation: turn a per-cell class map into object centroids (4-connected cells of
// the same class merged into one detection) and match them to true centroids of the same
// class within a radius (in cells), greedily by distance → precision/recall/F1 per class.

/// An object centre in output-grid cell coordinates (x to the right, y down).
public struct Centroid: Codable, Sendable, Equatable {
    public var x: Float
    public var y: Float
    /// Class index (≥ 1; 0 is background).
    public var label: Int
    public init(x: Float, y: Float, label: Int) {
        self.x = x
        self.y = y
        self.label = label
    }
}

public enum FOMO {
    /// Detections from a `(GH, GW)` map of cell classes (row-major): one centroid per
    /// 4-connected group of cells with the same non-background class.
    public static func centroids(cellClasses: [Int], height: Int, width: Int) -> [Centroid] {
        var seen = [Bool](repeating: false, count: cellClasses.count)
        var result: [Centroid] = []
        for start in 0..<cellClasses.count where cellClasses[start] != 0 && !seen[start] {
            let label = cellClasses[start]
            var stack = [start], sumX: Float = 0, sumY: Float = 0, count: Float = 0
            seen[start] = true
            while let cell = stack.popLast() {
                let (y, x) = (cell / width, cell % width)
                sumX += Float(x) + 0.5
                sumY += Float(y) + 0.5
                count += 1
                for (ny, nx) in [(y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)]
                where ny >= 0 && ny < height && nx >= 0 && nx < width {
                    let next = ny * width + nx
                    if !seen[next] && cellClasses[next] == label { seen[next] = true; stack.append(next) }
                }
            }
            result.append(Centroid(x: sumX / count, y: sumY / count, label: label))
        }
        return result
    }

    /// Matches predictions to truths of the same class within `radius` cells (each truth at
    /// most once, closest pairs first) and returns per-class metrics for classes 1..<classes.
    public static func evaluate(
        predicted: [[Centroid]], truth: [[Centroid]], labels: [String],
        radius: Float = 1.5
    ) -> [ClassMetrics] {
        var tp = [Int](repeating: 0, count: labels.count), fp = tp, fn = tp
        for (predictions, truths) in zip(predicted, truth) {
            var pairs: [(distance: Float, p: Int, t: Int)] = []
            for (i, p) in predictions.enumerated() {
                for (j, t) in truths.enumerated() where p.label == t.label {
                    let d = ((p.x - t.x) * (p.x - t.x) + (p.y - t.y) * (p.y - t.y)).squareRoot()
                    if d <= radius { pairs.append((d, i, j)) }
                }
            }
            var usedP = Set<Int>(), usedT = Set<Int>()
            for pair in pairs.sorted(by: { $0.distance < $1.distance })
            where !usedP.contains(pair.p) && !usedT.contains(pair.t) {
                usedP.insert(pair.p)
                usedT.insert(pair.t)
                tp[predictions[pair.p].label] += 1
            }
            for (i, p) in predictions.enumerated() where !usedP.contains(i) { fp[p.label] += 1 }
            for (j, t) in truths.enumerated() where !usedT.contains(j) { fn[t.label] += 1 }
        }
        return (1..<labels.count).map { ClassMetrics(label: labels[$0], tp: tp[$0], fp: fp[$0], fn: fn[$0]) }
    }

    /// The class of each cell from one image's per-cell class probabilities (`cells × classes`,
    /// background first): the most likely class (the first on a tie), or background when that
    /// is background or below `threshold`.
    public static func cellClasses(_ probabilities: [Float], classes: Int, threshold: Float) -> [Int] {
        stride(from: 0, to: probabilities.count, by: classes).map { base in
            var best = 0
            for k in 1..<classes where probabilities[base + k] > probabilities[base + best] { best = k }
            return best != 0 && probabilities[base + best] >= threshold ? best : 0
        }
    }

    /// Cell label map `(GH, GW)` for objects at pixel centres on an image of `imageWidth`×`imageHeight`.
    public static func cellLabels(
        objects: [(x: Float, y: Float, label: Int)], imageWidth: Int, imageHeight: Int,
        gridWidth: Int, gridHeight: Int
    ) -> [Int] {
        var cells = [Int](repeating: 0, count: gridWidth * gridHeight)
        for object in objects {
            let cx = min(gridWidth - 1, max(0, Int(object.x / Float(imageWidth) * Float(gridWidth))))
            let cy = min(gridHeight - 1, max(0, Int(object.y / Float(imageHeight) * Float(gridHeight))))
            cells[cy * gridWidth + cx] = object.label
        }
        return cells
    }
}

extension Model {
    /// Per-image detections of a FOMO model (cells whose most likely class is not
    /// background and whose probability is at least `threshold`).
    public func detect(_ images: Tensor, threshold: Float = 0.5) -> [[Centroid]] {
        let probabilities = predict(images)
        let (n, gh, gw, classes) = (
            probabilities.shape[0], probabilities.shape[1], probabilities.shape[2], probabilities.shape[3]
        )
        let size = gh * gw * classes
        return (0..<n).map { image in
            let cells = FOMO.cellClasses(
                Array(probabilities.data[(image * size)..<((image + 1) * size)]), classes: classes, threshold: threshold
            )
            return FOMO.centroids(cellClasses: cells, height: gh, width: gw)
        }
    }
}
