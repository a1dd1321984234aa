// The API edge of a dataset's label counts and analysis (`DatasetSnapshot`, `DatasetAnalyzer`).
import APITypes
import MinnowCore

extension Components.Schemas.LabelCount {
    init(_ c: MinnowCore.LabelCount) {
        self.init(label: c.label, train: c.train, test: c.test, total: c.total)
    }
}

extension Components.Schemas.DatasetProblem {
    init(_ p: MinnowCore.DatasetProblem) {
        self.init(kind: .init(p.kind), message: p.message, label: p.label, imageIds: p.imageIds)
    }
}

extension Components.Schemas.DatasetAnalysis {
    init(_ a: MinnowCore.DatasetAnalysis) {
        self.init(
            images: a.images, labelled: a.labelled, unlabelled: a.unlabelled,
            labels: a.labels.map(Components.Schemas.LabelCount.init),
            sizes: a.sizes.map { .init(width: $0.width, height: $0.height, count: $0.count) },
            colorModes: .init(grayscale: a.colorModes.grayscale, rgb: a.colorModes.rgb),
            exactDuplicates: a.exactDuplicates,
            nearDuplicates: a.nearDuplicates, problems: a.problems.map(Components.Schemas.DatasetProblem.init),
            warnings: a.warnings, readyToTrain: a.readyToTrain)
    }
}
