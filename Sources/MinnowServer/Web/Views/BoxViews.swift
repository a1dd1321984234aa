// Boxes on a detection image: drawn over the image by the server (so they show without
// JavaScript), and an editor whose script draws new boxes with the pointer, edits them as
// numbers (keyboard), and saves them through the API's image update.
import Foundation
import MinnowCore

extension Views {
    static func boxOverlay(_ boxes: [Box]) -> HTML {
        boxOverlay(
            boxes.map { BoxSpec(label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height) },
            id: "box-layer")
    }

    /// Boxes (fractions of the image, top-left corner and size) drawn over an image in a `.viewer`.
    static func boxOverlay(_ boxes: [BoxSpec], id: String? = nil) -> HTML {
        let shapes = boxes.map { box -> HTML in
            let (x, y, w, h) = (box.x * 1000, box.y * 1000, box.width * 1000, box.height * 1000)
            return
                "<rect x=\"\(Int(x))\" y=\"\(Int(y))\" width=\"\(Int(w))\" height=\"\(Int(h))\" fill=\"none\" stroke=\"#f0a400\" stroke-width=\"3\" vector-effect=\"non-scaling-stroke\"><title>\(box.label)</title></rect>"
        }
        return
            "<svg\(id.map { HTML(" id=\"\($0)\"") } ?? .empty) viewBox=\"0 0 1000 1000\" preserveAspectRatio=\"none\" aria-hidden=\"true\">\(shapes)</svg>"
    }

    static func boxEditor(project: Project, image: DatasetImage) -> HTML {
        let boxes = image.boxes.map {
            ["label": $0.label, "x": $0.x, "y": $0.y, "width": $0.width, "height": $0.height] as [String: Any]
        }
        let json =
            (try? JSONSerialization.data(withJSONObject: boxes, options: [.sortedKeys])).map {
                String(decoding: $0, as: UTF8.self)
            } ?? "[]"
        let rows = image.boxes.map { box -> HTML in
            "<tr><td>\(box.label)</td><td>\(String(format: "%.3f", box.x))</td><td>\(String(format: "%.3f", box.y))</td><td>\(String(format: "%.3f", box.width))</td><td>\(String(format: "%.3f", box.height))</td><td></td></tr>"
        }
        return """
            <section id="box-editor" data-image="\(APILink.image(project.id?.apiString ?? "", image: image.id?.apiString ?? "").path)" data-boxes="\(json)">
            <h2>Boxes</h2>
            <p class="muted" id="box-help">Drag on the image to draw a box with the label below; edit or remove boxes in the table (coordinates are fractions of the image); then save.</p>
            <div class="toolbar">
            <div class="field"><label for="box-label">Label for new boxes</label><input type="text" id="box-label" list="label-list" autocomplete="off"></div>
            <button type="button" id="add-box" class="secondary" hidden>Add a box</button>
            <button type="button" id="save-boxes" hidden>Save boxes</button>
            <span id="box-status" role="status" aria-live="polite"></span>
            </div>
            <div class="table-wrap"><table id="box-table">
            <thead><tr><th scope="col">Label</th><th scope="col">x</th><th scope="col">y</th><th scope="col">Width</th><th scope="col">Height</th><th scope="col"><span class="muted">Remove</span></th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            </section>
            """
    }
}
