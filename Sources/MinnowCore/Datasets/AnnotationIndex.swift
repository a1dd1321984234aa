// The detection annotations found in an imported zip, looked up by image path: COCO JSON
// (any .json with images/annotations), Pascal VOC (.xml beside or named like the image),
// and YOLO (.txt beside the image or under a parallel labels/ folder, class names from
// classes.txt, obj.names or data.yaml).
import Foundation
import ZIPFoundation

package struct AnnotationIndex {
    private var coco: [String: [BoxSpec]] = [:]
    private var voc: [String: [BoxSpec]] = [:]
    private var yoloText: [String: String] = [:]
    private var classNames: [String] = []
    package private(set) var files: Set<String> = []

    package static let maximumBytes = 50 << 20

    package static func isAnnotation(_ path: String) -> Bool {
        ["txt", "xml", "json", "names", "yaml", "yml"].contains((path as NSString).pathExtension.lowercased())
    }

    package init(archive: Archive, entries: [Entry]) {
        var total = 0
        for entry in entries where entry.type == .file && Self.isAnnotation(entry.path) && !entry.path.contains("..") {
            total += Int(entry.uncompressedSize)
            guard entry.uncompressedSize <= 5 << 20, total <= Self.maximumBytes else { continue }
            var data = Data()
            guard (try? archive.extract(entry, consumer: { data.append($0) })) != nil else { continue }
            let path = entry.path, name = (path as NSString).lastPathComponent.lowercased()
            let text = String(decoding: data, as: UTF8.self)
            switch (path as NSString).pathExtension.lowercased() {
            case "json":
                guard let images = BoxReader.coco(data) else { continue }
                for (file, image) in images { coco[file] = image.boxes }
            case "xml":
                guard let boxes = BoxReader.voc(data) else { continue }
                voc[Self.key(path)] = boxes
            case "names", "yaml", "yml":
                classNames = BoxReader.classNames(text, yaml: !name.hasSuffix(".names"))
            default:
                if name == "classes.txt" {
                    classNames = BoxReader.classNames(text, yaml: false)
                } else {
                    yoloText[Self.key(path)] = text
                }
            }
            files.insert(path)
        }
    }

    /// The boxes for an image in the archive, if any annotation names it.
    package func boxes(for path: String) -> [BoxSpec]? {
        let key = Self.key(path)
        if let boxes = coco[path] ?? coco[(path as NSString).lastPathComponent] ?? voc[key]
            ?? voc[Self.key(Self.parallel(path, "Annotations"))]
        {
            return boxes
        }
        let text = yoloText[key] ?? yoloText[Self.key(Self.parallel(path, "labels"))]
        return text.flatMap { BoxReader.yolo($0, names: classNames) }
    }

    /// The path without its extension.
    private static func key(_ path: String) -> String { (path as NSString).deletingPathExtension }

    /// The same file in a parallel folder: `images/train/x.jpg` → `labels/train/x.jpg` (YOLO),
    /// `JPEGImages/x.jpg` → `Annotations/x.jpg` (Pascal VOC).
    private static func parallel(_ path: String, _ folder: String) -> String {
        var components = path.split(separator: "/").map(String.init)
        if let index = components.firstIndex(where: { $0 == "images" || $0 == "JPEGImages" }) {
            components[index] = folder
        } else {
            components.insert(folder, at: max(0, components.count - 1))
        }
        return components.joined(separator: "/")
    }
}
