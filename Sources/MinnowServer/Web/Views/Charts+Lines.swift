// Line charts as SVG drawn on the server: values per epoch, one line per series (solid or
// dashed), a legend, gridlines with their values, and the last values in the description
// for screen readers. The live training page asks for a fresh one after every epoch.
import Foundation
import MinnowCore

extension Charts {
    struct Series {
        let name: String
        let colour: String
        /// (epoch, value), in epoch order.
        let points: [(x: Double, y: Double)]
        var dashed = false
    }

    /// Colours told apart by most eyes, for one line per iteration.
    static let palette = ["#0b62c4", "#d97706", "#18794e", "#b42318", "#7c3aed", "#0e7490", "#be185d", "#4b5563"]

    /// - Parameter range: the value axis; nil fits it from zero to the largest value.
    static func lines(title: String, series: [Series], range: ClosedRange<Double>? = nil, percent: Bool = false) -> HTML
    {
        let drawn = series.filter { !$0.points.isEmpty }
        let legendRows = Double((max(drawn.count, 1) + 3) / 4)
        let left = 52.0, right = 16.0, top = 18.0 + 16 * legendRows, bottom = 34.0, plotWidth = 500.0,
            plotHeight = 200.0
        let lastX = max(drawn.flatMap { $0.points.map { $0.x } }.max() ?? 1, 2)
        let highest = drawn.flatMap { $0.points.map { $0.y } }.filter(\.isFinite).max() ?? 1
        let yRange = range ?? 0...max(highest * 1.05, 1e-6)
        func x(_ value: Double) -> Double { left + (value - 1) / (lastX - 1) * plotWidth }
        func y(_ value: Double) -> Double {
            let clamped = min(max(value.isFinite ? value : yRange.upperBound, yRange.lowerBound), yRange.upperBound)
            return top + plotHeight - (clamped - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
                * plotHeight
        }
        func label(_ value: Double) -> String {
            percent ? "\(Int((value * 100).rounded()))%" : String(format: value < 10 ? "%.2f" : "%.0f", value)
        }

        let gridlines = (0...4).map { step -> HTML in
            let value = yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * Double(step) / 4
            return """
                <line x1="\(format(left))" x2="\(format(left + plotWidth))" y1="\(format(y(value)))" y2="\(format(y(value)))" stroke="#d8dde3"/>\
                <text x="\(format(left - 6))" y="\(format(y(value) + 4))" text-anchor="end">\(label(value))</text>
                """
        }
        let every = max(1, Int((lastX / 10).rounded(.up)))
        let epochTicks = stride(from: 1, through: Int(lastX), by: every).map { epoch -> HTML in
            "<text x=\"\(format(x(Double(epoch))))\" y=\"\(format(top + plotHeight + 16))\" text-anchor=\"middle\">\(epoch)</text>"
        }
        let legend = drawn.enumerated().map { index, item -> HTML in
            let lx = left + Double(index % 4) * 130, ly = 12.0 + Double(index / 4) * 16
            return """
                <line x1="\(format(lx))" x2="\(format(lx + 18))" y1="\(format(ly))" y2="\(format(ly))" stroke="\(item.colour)" stroke-width="3"\(dash(item))/>\
                <text x="\(format(lx + 22))" y="\(format(ly + 4))">\(item.name)</text>
                """
        }
        let paths = drawn.map { item -> HTML in
            let points = item.points.map { "\(format(x($0.x))),\(format(y($0.y)))" }.joined(separator: " ")
            let marks =
                item.points.count > 40
                ? []
                : item.points.map { point -> HTML in
                    "<circle cx=\"\(format(x(point.x)))\" cy=\"\(format(y(point.y)))\" r=\"2.5\" fill=\"\(item.colour)\"><title>\(item.name), epoch \(Int(point.x)): \(label(point.y))</title></circle>"
                }
            return
                "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(item.colour)\" stroke-width=\"2\"\(dash(item))/>\(marks)"
        }
        let summary = drawn.map {
            "\($0.name): \($0.points.last.map { "epoch \(Int($0.x)) \(label($0.y))" } ?? "none")"
        }.joined(separator: "; ")
        let width = left + plotWidth + right, height = top + plotHeight + bottom
        return """
            <figure>
            <figcaption>\(title)</figcaption>
            <svg class="chart" viewBox="0 0 \(format(width)) \(format(height))" width="\(format(width))" height="\(format(height))" role="img" aria-label="\(title)">
            <desc>\(drawn.isEmpty ? "No epochs yet." : summary)</desc>
            \(gridlines)\(epochTicks)
            <text x="\(format(left + plotWidth / 2))" y="\(format(height - 2))" text-anchor="middle">epoch</text>
            \(legend)\(paths)
            </svg>
            </figure>
            """
    }

    private static func dash(_ series: Series) -> HTML { series.dashed ? " stroke-dasharray=\"6 4\"" : "" }
}
