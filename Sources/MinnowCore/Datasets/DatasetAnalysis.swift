// What `DatasetAnalyzer` finds in a project's dataset: counts, sizes, colour modes,
// near-duplicates, the problems that would make training fail or mislead, and warnings.
import Foundation

package struct DatasetAnalysis: Sendable, Equatable {
    /// Images of one size.
    package struct SizeCount: Sendable, Equatable {
        package var width: Int
        package var height: Int
        package var count: Int

        package init(width: Int, height: Int, count: Int) {
            self.width = width
            self.height = height
            self.count = count
        }
    }

    package struct ColorModeCounts: Sendable, Equatable {
        package var grayscale: Int
        package var rgb: Int

        package init(grayscale: Int, rgb: Int) {
            self.grayscale = grayscale
            self.rgb = rgb
        }
    }

    package var images: Int
    package var labelled: Int
    package var unlabelled: Int
    package var labels: [LabelCount]
    /// The most common sizes, most common first.
    package var sizes: [SizeCount]
    package var colorModes: ColorModeCounts
    /// Always 0 within a project: the same bytes twice are refused as duplicates.
    package var exactDuplicates: Int
    /// Groups of image ids that look the same.
    package var nearDuplicates: [[String]]
    package var problems: [DatasetProblem]
    package var warnings: [String]
    package var readyToTrain: Bool

    package init(
        images: Int, labelled: Int, unlabelled: Int, labels: [LabelCount], sizes: [SizeCount],
        colorModes: ColorModeCounts,
        exactDuplicates: Int, nearDuplicates: [[String]], problems: [DatasetProblem], warnings: [String],
        readyToTrain: Bool
    ) {
        self.images = images
        self.labelled = labelled
        self.unlabelled = unlabelled
        self.labels = labels
        self.sizes = sizes
        self.colorModes = colorModes
        self.exactDuplicates = exactDuplicates
        self.nearDuplicates = nearDuplicates
        self.problems = problems
        self.warnings = warnings
        self.readyToTrain = readyToTrain
    }
}

/// Something about the dataset that stops training or makes its results mislead.
package struct DatasetProblem: Sendable, Equatable {
    package enum Kind: String, Sendable, CaseIterable {
        case tooFewExamples = "too_few_examples"
        case tinyImages = "tiny_images"
        case unlabelledImages = "unlabelled_images"
        case imbalance
        case singleLabel = "single_label"
        case empty
    }

    package var kind: Kind
    package var message: String
    /// The label the problem is about, when there is one.
    package var label: String?
    /// Some of the images concerned.
    package var imageIds: [String]?

    package init(kind: Kind, message: String, label: String? = nil, imageIds: [String]? = nil) {
        self.kind = kind
        self.message = message
        self.label = label
        self.imageIds = imageIds
    }
}
