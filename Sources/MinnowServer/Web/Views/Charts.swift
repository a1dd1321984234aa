// Charts as SVG drawn on the server: horizontal bars, plain or stacked (train + test).
// Each chart has a text title and description for screen readers, and the numbers as labels.
import Foundation
import MinnowCore

enum Charts {
    struct Segment {
        let value: Int
        let colour: String
        let name: String
    }

    struct Bar {
        let label: String
        let segments: [Segment]
        var total: Int { segments.reduce(0) { $0 + $1.value } }
    }

    static func horizontalBars(title: String, bars: [Bar], legend: [(name: String, colour: String)] = []) -> HTML {
        let labelWidth = 150.0, barArea = 420.0, rowHeight = 26.0, top = legend.isEmpty ? 8.0 : 30.0
        let height = top + rowHeight * Double(max(bars.count, 1)) + 8
        let maximum = Double(max(bars.map(\.total).max() ?? 1, 1))
        let legendMarks = legend.enumerated().map { index, item -> HTML in
            let x = labelWidth + Double(index) * 90
            return
                "<rect x=\"\(x)\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(item.colour)\"/><text x=\"\(x + 16)\" y=\"16\">\(item.name)</text>"
        }
        let rows = bars.enumerated().map { index, bar -> HTML in
            let y = top + Double(index) * rowHeight
            var x = labelWidth
            let parts = bar.segments.map { segment -> HTML in
                let width = barArea * Double(segment.value) / maximum
                defer { x += width }
                return
                    "<rect x=\"\(format(x))\" y=\"\(format(y + 4))\" width=\"\(format(width))\" height=\"\(format(rowHeight - 8))\" fill=\"\(segment.colour)\"><title>\(bar.label) \(segment.name): \(segment.value)</title></rect>"
            }
            let name = bar.label.count > 22 ? String(bar.label.prefix(21)) + "…" : bar.label
            return """
                <text x="\(format(labelWidth - 6))" y="\(format(y + rowHeight / 2 + 4))" text-anchor="end">\(name)</text>\(parts)<text x="\(format(labelWidth + barArea * Double(bar.total) / maximum + 6))" y="\(format(y + rowHeight / 2 + 4))">\(bar.total)</text>
                """
        }
        let summary = bars.map {
            "\($0.label): \($0.segments.map { "\($0.value) \($0.name)" }.joined(separator: ", "))"
        }.joined(separator: "; ")
        return """
            <figure>
            <figcaption>\(title)</figcaption>
            <svg class="chart" viewBox="0 0 \(format(labelWidth + barArea + 60)) \(format(height))" width="\(format(labelWidth + barArea + 60))" height="\(format(height))" role="img" aria-label="\(title)">
            <desc>\(summary)</desc>
            \(legendMarks)
            \(rows)
            </svg>
            </figure>
            """
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
