// The confusion matrix as an SVG heat map: rows are true labels, columns predicted ones,
// each cell shaded by its share of its row (so a rare label's errors show as clearly as a
// common one's) and labelled with its count. Correct answers are green, mistakes red.
import Foundation
import MinnowCore

extension Charts {
    static func confusionMatrix(title: String, labels: [String], counts: [[Int]]) -> HTML {
        let cell = 44.0, labelWidth = 120.0, top = 96.0
        let size = Double(labels.count)
        func short(_ text: String) -> String { text.count > 14 ? String(text.prefix(13)) + "…" : text }
        let columnLabels = labels.enumerated().map { index, label -> HTML in
            let x = labelWidth + (Double(index) + 0.5) * cell
            return
                "<text x=\"\(format(x))\" y=\"\(format(top - 8))\" transform=\"rotate(-45 \(format(x)) \(format(top - 8)))\">\(short(label))</text>"
        }
        let rows = counts.enumerated().map { row, values -> HTML in
            let total = max(values.reduce(0, +), 1)
            let y = top + Double(row) * cell
            let name: HTML =
                "<text x=\"\(format(labelWidth - 6))\" y=\"\(format(y + cell / 2 + 4))\" text-anchor=\"end\">\(short(labels[safe: row] ?? "?"))</text>"
            let cells = values.enumerated().map { column, count -> HTML in
                let x = labelWidth + Double(column) * cell
                let share = Double(count) / Double(total)
                let colour = row == column ? "#18794e" : "#b42318"
                let ink: HTML = share > 0.55 ? " class=\"on-dark\"" : ""
                return """
                    <rect x="\(format(x))" y="\(format(y))" width="\(format(cell - 2))" height="\(format(cell - 2))" fill="\(colour)" fill-opacity="\(format(0.06 + 0.94 * share))"><title>true \(labels[safe: row] ?? "?"), predicted \(labels[safe: column] ?? "?"): \(count)</title></rect>\
                    <text x="\(format(x + cell / 2 - 1))" y="\(format(y + cell / 2 + 4))" text-anchor="middle"\(ink)>\(count)</text>
                    """
            }
            return HTML("\(name)\(cells)")
        }
        let summary = counts.enumerated().map { row, values in
            "\(labels[safe: row] ?? "?"): "
                + values.enumerated().map { "\($1) as \(labels[safe: $0] ?? "?")" }.joined(separator: ", ")
        }.joined(separator: "; ")
        let width = labelWidth + size * cell + 24, height = top + size * cell + 28
        return """
            <figure>
            <figcaption>\(title)</figcaption>
            <svg class="chart" viewBox="0 0 \(format(width)) \(format(height))" width="\(format(width))" height="\(format(height))" role="img" aria-label="\(title)">
            <desc>Rows are true labels, columns predicted labels. \(summary)</desc>
            \(columnLabels)\(rows)
            <text x="\(format(labelWidth + size * cell / 2))" y="\(format(height - 6))" text-anchor="middle">predicted</text>
            </svg>
            </figure>
            """
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
