// "Look at the data before training": counts per label and split, balance, sizes and colour
// modes, near-duplicates, and the problems that would make training fail or mislead.
import Foundation
import NeuralNet

package enum DatasetAnalyzer {
    /// Fewest images per label worth training on.
    package static func minimumExamples(for task: ModelTask) -> Int { task == .detection ? 15 : 5 }
    /// Images whose difference hashes are at most this many bits apart look the same.
    package static let nearDuplicateBits = 3
    package static let tinySide = 16
    package static let listedIDs = 100

    package static func analyze(_ snapshot: DatasetSnapshot, task: ModelTask) -> DatasetAnalysis {
        let rows = snapshot.rows
        let labels = snapshot.labelCounts()
        let unlabelled = rows.filter { $0.labels.isEmpty }
        var problems: [DatasetProblem] = []
        var warnings: [String] = []

        let blockers = trainingBlockers(images: rows.count, labels: labels, task: task)
        problems += blockers.filter { $0.kind == .empty }
        if !unlabelled.isEmpty {
            problems.append(
                .init(
                    kind: .unlabelledImages,
                    message: "\(unlabelled.count) images have no label and will not be used for training.",
                    imageIds: unlabelled.prefix(listedIDs).map(\.id.apiString)))
        }
        problems += blockers.filter { $0.kind != .empty }
        if let most = labels.map(\.total).max(), let least = labels.map(\.total).min(), least > 0, most > 3 * least {
            let big = labels.first { $0.total == most }!.label, small = labels.first { $0.total == least }!.label
            problems.append(
                .init(
                    kind: .imbalance,
                    message:
                        "Labels are imbalanced: \"\(big)\" has \(most) images, \"\(small)\" only \(least). Add data or use class weights."
                ))
        }
        let tiny = rows.filter { min($0.width, $0.height) < tinySide }
        if !tiny.isEmpty {
            problems.append(
                .init(
                    kind: .tinyImages, message: "\(tiny.count) images are smaller than \(tinySide) pixels on a side.",
                    imageIds: tiny.prefix(listedIDs).map(\.id.apiString)))
        }
        for count in labels where count.total >= minimumExamples(for: task) && count.test == 0 {
            warnings.append("\"\(count.label)\" has no test images, so its accuracy cannot be measured.")
        }
        let sizes = sizeDistribution(rows)
        return .init(
            images: rows.count,
            labelled: rows.count - unlabelled.count,
            unlabelled: unlabelled.count,
            labels: labels,
            sizes: sizes,
            colorModes: .init(
                grayscale: rows.count { $0.colorMode == .grayscale }, rgb: rows.count { $0.colorMode == .rgb }),
            exactDuplicates: 0,
            nearDuplicates: nearDuplicateGroups(rows).prefix(listedIDs).map { $0.map(\.apiString) },
            problems: problems,
            warnings: warnings,
            readyToTrain: blockers.isEmpty
        )
    }

    /// The problems that stop training: no images, a label with too few images, a single
    /// label (classification). Cheap: counts only, so starting an iteration can check them.
    package static func trainingBlockers(images: Int, labels: [LabelCount], task: ModelTask) -> [DatasetProblem] {
        var problems: [DatasetProblem] = []
        if images == 0 {
            problems.append(.init(kind: .empty, message: "The project has no images yet; upload or import some."))
        }
        let minimum = minimumExamples(for: task)
        for count in labels where count.total < minimum {
            problems.append(
                .init(
                    kind: .tooFewExamples,
                    message: "\"\(count.label)\" has \(count.total) images; at least \(minimum) are needed to train.",
                    label: count.label))
        }
        if task == .classification && labels.count == 1 {
            problems.append(
                .init(
                    kind: .singleLabel,
                    message: "Classification needs at least two labels; only \"\(labels[0].label)\" exists."))
        }
        return problems
    }

    /// The 20 most common image sizes with their counts.
    package static func sizeDistribution(_ rows: [DatasetSnapshot.Row]) -> [DatasetAnalysis.SizeCount] {
        var counts: [[Int]: Int] = [:]
        for row in rows { counts[[row.width, row.height], default: 0] += 1 }
        let ordered = counts.sorted { a, b in
            a.value != b.value ? a.value > b.value : a.key.lexicographicallyPrecedes(b.key)
        }
        return ordered.prefix(20).map { .init(width: $0.key[0], height: $0.key[1], count: $0.value) }
    }

    /// Groups of images within `nearDuplicateBits` of each other. Each hash is cut into four
    /// 16-bit bands; two hashes that differ in at most 3 bits agree on at least one band, so
    /// only images sharing a band are compared.
    package static func nearDuplicateGroups(_ rows: [DatasetSnapshot.Row]) -> [[UUID]] {
        var parent = Array(rows.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        for band in 0..<4 {
            let buckets = Dictionary(
                grouping: rows.indices, by: { (rows[$0].differenceHash >> UInt64(band * 16)) & 0xFFFF })
            for members in buckets.values where members.count > 1 && members.count < 5_000 {
                for (n, a) in members.enumerated() {
                    for b in members[(n + 1)...]
                    where (rows[a].differenceHash ^ rows[b].differenceHash).nonzeroBitCount <= nearDuplicateBits {
                        parent[root(a)] = root(b)
                    }
                }
            }
        }
        return Dictionary(grouping: rows.indices, by: root).values
            .filter { $0.count > 1 }
            .map { $0.map { rows[$0].id } }
            .sorted { $0.count > $1.count }
    }
}
