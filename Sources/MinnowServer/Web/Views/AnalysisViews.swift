// The analysis page: headline numbers, problems (each linking to its images), warnings,
// charts of labels per split, image sizes and colour modes, and near-duplicate groups.
import Foundation
import MinnowCore

extension Views {
    static func analysis(session: WebSession, project: Project, analysis: DatasetAnalysis) -> HTML {
        let id = project.id?.apiString ?? ""
        let images = WebRoute.images(id)
        func strip(_ imageIDs: [String]) -> HTML {
            let items = imageIDs.prefix(24).map { imageID -> HTML in
                "<li><a href=\"\(WebRoute.image(id, image: imageID).path)\"><img src=\"\(APILink.thumbnail(id, image: imageID).path)\" alt=\"Image \(String(imageID.prefix(8)))\" loading=\"lazy\"></a></li>"
            }
            let more: HTML =
                imageIDs.count > 24 ? HTML("<li class=\"muted\">and \(imageIDs.count - 24) more</li>") : .empty
            return "<ul class=\"strip\">\(items)\(more)</ul>"
        }
        let problems = analysis.problems.map { problem -> HTML in
            var links: HTML = .empty
            switch problem.kind {
            case .unlabelledImages:
                links = HTML("<a href=\"\(images.with([("unlabelled", "1")]))\">Show the unlabelled images</a>")
            case .tooFewExamples, .imbalance:
                links =
                    problem.label.map { HTML("<a href=\"\(images.with([("label", $0)]))\">Show “\($0)”</a>") } ?? .empty
            case .empty: links = HTML("<a href=\"\(WebRoute.upload(id).path)\">Upload images</a>")
            default: break
            }
            let title = problem.kind.rawValue.replacingOccurrences(of: "_", with: " ").capitalized
            return "<li><strong>\(title)</strong>: \(problem.message) \(links)\(problem.imageIds.map(strip))</li>"
        }
        let warnings = analysis.warnings.map { HTML("<li>\($0)</li>") }
        let labelBars = analysis.labels.map { count in
            Charts.Bar(
                label: count.label,
                segments: [
                    .init(value: count.train, colour: "#3b82f6", name: "train"),
                    .init(value: count.test, colour: "#f59e0b", name: "test"),
                ])
        }
        let sizeBars = analysis.sizes.map {
            Charts.Bar(
                label: "\($0.width)×\($0.height)", segments: [.init(value: $0.count, colour: "#64748b", name: "images")]
            )
        }
        let colourBars = [
            Charts.Bar(
                label: "grayscale",
                segments: [.init(value: analysis.colorModes.grayscale, colour: "#64748b", name: "images")]),
            Charts.Bar(
                label: "RGB", segments: [.init(value: analysis.colorModes.rgb, colour: "#64748b", name: "images")]),
        ]
        let groups = analysis.nearDuplicates.prefix(20).map { group in
            HTML("<li>\(group.count) images: \(strip(group))</li>")
        }
        let ready: HTML =
            analysis.readyToTrain
            ? "<span class=\"badge ok\">ready to train</span>" : "<span class=\"badge warn\">not ready to train</span>"
        return layout(
            title: "Analysis", session: session, project: project, tab: .analysis,
            """
            <h2>Analysis \(ready)</h2>
            <ul class="stats">
            <li><strong>\(analysis.images)</strong> images</li>
            <li><strong>\(analysis.labelled)</strong> labelled</li>
            <li><strong>\(analysis.unlabelled)</strong> unlabelled</li>
            <li><strong>\(analysis.labels.count)</strong> labels</li>
            <li><strong>\(analysis.nearDuplicates.count)</strong> near-duplicate groups</li>
            </ul>
            <h2>Problems</h2>
            \(problems.isEmpty ? HTML("<p class=\"muted\">No problems found.</p>") : HTML("<ul class=\"problems\">\(problems)</ul>"))
            \(warnings.isEmpty ? HTML.empty : HTML("<h2>Warnings</h2><ul>\(warnings)</ul>"))
            \(labelBars.isEmpty ? HTML.empty : Charts.horizontalBars(title: "Images per label and split", bars: labelBars, legend: [("train", "#3b82f6"), ("test", "#f59e0b")]))
            \(sizeBars.isEmpty ? HTML.empty : Charts.horizontalBars(title: "Most common image sizes (width × height)", bars: sizeBars))
            \(analysis.images == 0 ? HTML.empty : Charts.horizontalBars(title: "Colour modes", bars: colourBars))
            <h2>Near-duplicates</h2>
            \(groups.isEmpty ? HTML("<p class=\"muted\">None found.</p>") : HTML("<ul>\(groups)</ul>"))
            """)
    }
}
