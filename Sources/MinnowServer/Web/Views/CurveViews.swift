// Loss and accuracy per epoch as two line charts: one iteration's training and validation
// curves, or several iterations overlaid for comparison.
import APITypes
import Foundation
import MinnowCore

extension Views {
    static func curves(_ epochs: [Components.Schemas.EpochMetrics]) -> HTML {
        func points(_ value: (Components.Schemas.EpochMetrics) -> Double?) -> [(x: Double, y: Double)] {
            epochs.compactMap { epoch in value(epoch).map { (x: Double(epoch.epoch), y: $0) } }
        }
        let loss = [
            Charts.Series(name: "train loss", colour: "#0b62c4", points: points { $0.trainLoss }),
            Charts.Series(
                name: "validation loss", colour: "#d97706", points: points { $0.validationLoss }, dashed: true),
        ]
        let accuracy = [
            Charts.Series(name: "train accuracy", colour: "#0b62c4", points: points { $0.trainAccuracy }),
            Charts.Series(
                name: "validation accuracy", colour: "#d97706", points: points { $0.validationAccuracy }, dashed: true),
        ]
        return """
            <div class="charts">
            \(Charts.lines(title: "Loss per epoch", series: loss))
            \(Charts.lines(title: "Accuracy per epoch", series: accuracy, range: 0...1, percent: true))
            </div>
            """
    }

    /// One line per iteration: validation accuracy where measured (else training), and training loss.
    static func overlaidCurves(_ iterations: [(name: String, epochs: [Components.Schemas.EpochMetrics])]) -> HTML {
        let accuracy = iterations.enumerated().map { index, item in
            Charts.Series(
                name: item.name, colour: Charts.palette[index % Charts.palette.count],
                points: item.epochs.map { (x: Double($0.epoch), y: $0.validationAccuracy ?? $0.trainAccuracy) })
        }
        let loss = iterations.enumerated().map { index, item in
            Charts.Series(
                name: item.name, colour: Charts.palette[index % Charts.palette.count],
                points: item.epochs.map { (x: Double($0.epoch), y: $0.trainLoss) })
        }
        return """
            <div class="charts">
            \(Charts.lines(title: "Accuracy per epoch (validation where measured, else training)", series: accuracy, range: 0...1, percent: true))
            \(Charts.lines(title: "Training loss per epoch", series: loss))
            </div>
            """
    }
}
