// Detection labels in the common formats: YOLO (one .txt per image: `class cx cy w h`,
// normalised, with class names in classes.txt), Pascal VOC (one .xml per image, pixel
// corners) and COCO (one JSON for the whole set, pixel x, y, width, height). Minnow keeps
// boxes as fractions of the image: top-left x, y, width, height.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

package struct BoxSpec: Codable, Equatable, Sendable {
    package var label: String
    package var x: Double
    package var y: Double
    package var width: Double
    package var height: Double

    /// Also the stored form of a snapshot image's boxes (`IterationImage.boxes`).
    package enum CodingKeys: String, CodingKey {
        case label = "label", x = "x", y = "y", width = "width", height = "height"
    }

    /// The box clamped to the image, or nil when nothing of it is inside.
    package var clamped: BoxSpec? {
        let x0 = max(0, min(1, x)), y0 = max(0, min(1, y)), x1 = max(0, min(1, x + width)),
            y1 = max(0, min(1, y + height))
        guard x1 > x0, y1 > y0 else { return nil }
        return BoxSpec(label: label, x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    package init(label: String, x: Double, y: Double, width: Double, height: Double) {
        self.label = label
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

package enum BoxFormat: String, CaseIterable {
    case yolo, voc, coco
}

// MARK: - Reading

package enum BoxReader {
    /// YOLO lines; `names` maps class indices to labels (index as `class<N>` when missing).
    package static func yolo(_ text: String, names: [String]) -> [BoxSpec]? {
        var boxes: [BoxSpec] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: " ").compactMap { Double($0) }
            guard fields.count == 5, let index = Int(exactly: fields[0]), index >= 0 else { return nil }
            let label = index < names.count ? names[index] : "class\(index)"
            boxes.append(
                BoxSpec(
                    label: label, x: fields[1] - fields[3] / 2, y: fields[2] - fields[4] / 2, width: fields[3],
                    height: fields[4]))
        }
        return boxes
    }

    /// Class names from classes.txt / obj.names (one per line) or a data.yaml `names:` list.
    package static func classNames(_ text: String, yaml: Bool) -> [String] {
        guard yaml else {
            return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        guard
            let line = text.split(whereSeparator: \.isNewline).first(where: {
                $0.trimmingCharacters(in: .whitespaces).hasPrefix("names:")
            }),
            let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]")
        else { return [] }
        return line[line.index(after: open)..<close].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
    }

    /// A Pascal VOC annotation; its `<size>` normalises the pixel corners.
    package static func voc(_ data: Data) -> [BoxSpec]? {
        let parser = VOCParser()
        let xml = XMLParser(data: data)
        xml.delegate = parser
        guard xml.parse(), let width = parser.size["width"].flatMap(Int.init),
            let height = parser.size["height"].flatMap(Int.init),
            width > 0, height > 0
        else { return nil }
        return parser.objects.compactMap { object in
            guard let name = object["name"], let xmin = object["xmin"].flatMap(Double.init),
                let ymin = object["ymin"].flatMap(Double.init),
                let xmax = object["xmax"].flatMap(Double.init), let ymax = object["ymax"].flatMap(Double.init)
            else { return nil }
            return BoxSpec(
                label: name, x: xmin / Double(width), y: ymin / Double(height),
                width: (xmax - xmin) / Double(width), height: (ymax - ymin) / Double(height))
        }
    }

    /// COCO: boxes in pixels by image file name (as written in the file, and by its last component).
    package static func coco(_ data: Data) -> [String: (width: Int, height: Int, boxes: [BoxSpec])]? {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let images = root["images"] as? [[String: Any]], let annotations = root["annotations"] as? [[String: Any]]
        else { return nil }
        let categories = Dictionary(
            (root["categories"] as? [[String: Any]] ?? []).compactMap { category -> (Int, String)? in
                guard let id = category["id"] as? Int, let name = category["name"] as? String else { return nil }
                return (id, name)
            }, uniquingKeysWith: { first, _ in first })
        var byID: [Int: (name: String, width: Int, height: Int, boxes: [BoxSpec])] = [:]
        for image in images {
            guard let id = image["id"] as? Int, let name = image["file_name"] as? String else { continue }
            byID[id] = (name, image["width"] as? Int ?? 0, image["height"] as? Int ?? 0, [])
        }
        for annotation in annotations {
            guard let imageID = annotation["image_id"] as? Int, let bbox = annotation["bbox"] as? [Double],
                bbox.count == 4,
                let entry = byID[imageID], entry.width > 0, entry.height > 0
            else { continue }
            let category = annotation["category_id"] as? Int ?? -1
            let w = Double(entry.width), h = Double(entry.height)
            byID[imageID]?.boxes.append(
                BoxSpec(
                    label: categories[category] ?? "class\(category)", x: bbox[0] / w, y: bbox[1] / h,
                    width: bbox[2] / w, height: bbox[3] / h))
        }
        var result: [String: (width: Int, height: Int, boxes: [BoxSpec])] = [:]
        for entry in byID.values {
            result[entry.name] = (entry.width, entry.height, entry.boxes)
            result[(entry.name as NSString).lastPathComponent] = (entry.width, entry.height, entry.boxes)
        }
        return result
    }
}

private final class VOCParser: NSObject, XMLParserDelegate {
    var objects: [[String: String]] = []
    var size: [String: String] = [:]
    private var current: [String: String]?
    private var text = ""

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if name == "object" { current = [:] }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "object", let object = current { objects.append(object); current = nil; return }
        if current != nil, ["name", "xmin", "ymin", "xmax", "ymax"].contains(name), current?[name] == nil {
            current?[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if current == nil, name == "width" || name == "height" {
            size[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

// MARK: - Writing

package enum BoxWriter {
    package static func yolo(_ boxes: [BoxSpec], classes: [String]) -> String {
        boxes.map { box in
            let index = classes.firstIndex(of: box.label) ?? 0
            return String(
                format: "%d %.6f %.6f %.6f %.6f", index, box.x + box.width / 2, box.y + box.height / 2, box.width,
                box.height)
        }.joined(separator: "\n") + (boxes.isEmpty ? "" : "\n")
    }

    package static func voc(_ boxes: [BoxSpec], fileName: String, width: Int, height: Int) -> String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        let objects = boxes.map { box in
            let xmin = Int((box.x * Double(width)).rounded()), ymin = Int((box.y * Double(height)).rounded())
            let xmax = Int(((box.x + box.width) * Double(width)).rounded()),
                ymax = Int(((box.y + box.height) * Double(height)).rounded())
            return
                "  <object><name>\(escaped(box.label))</name><bndbox><xmin>\(xmin)</xmin><ymin>\(ymin)</ymin><xmax>\(xmax)</xmax><ymax>\(ymax)</ymax></bndbox></object>\n"
        }.joined()
        return
            "<annotation>\n  <filename>\(escaped(fileName))</filename>\n  <size><width>\(width)</width><height>\(height)</height><depth>3</depth></size>\n\(objects)</annotation>\n"
    }

    /// One COCO document for images given as (archive path, width, height, boxes).
    package static func coco(
        _ images: [(path: String, width: Int, height: Int, boxes: [BoxSpec])], classes: [String]
    ) throws -> Data {
        var annotations: [[String: Any]] = []
        for (index, image) in images.enumerated() {
            for box in image.boxes {
                let w = Double(image.width), h = Double(image.height)
                annotations.append([
                    "id": annotations.count + 1, "image_id": index + 1,
                    "category_id": (classes.firstIndex(of: box.label) ?? 0) + 1,
                    "bbox": [box.x * w, box.y * h, box.width * w, box.height * h],
                    "area": box.width * w * box.height * h, "iscrowd": 0,
                ])
            }
        }
        let document: [String: Any] = [
            "images": images.enumerated().map {
                [
                    "id": $0.offset + 1, "file_name": $0.element.path, "width": $0.element.width,
                    "height": $0.element.height,
                ]
            },
            "annotations": annotations,
            "categories": classes.enumerated().map { ["id": $0.offset + 1, "name": $0.element] },
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }
}
