import Foundation
import Testing

@Suite("Detection labels in YOLO, Pascal VOC and COCO")
struct DetectionFormatTests {
    static var boxes: [[String: Any]] {
        [
            ["label": "robin", "x": 0.125, "y": 0.25, "width": 0.25, "height": 0.5],
            ["label": "wren", "x": 0.5, "y": 0.0, "width": 0.5, "height": 0.25],
        ]
    }

    /// The boxes of every image, by content hash, rounded to 1e-4 (pixel formats round).
    static func boxesByContent(_ server: TestServer, project: String, token: String) async throws -> [String: [String]]
    {
        let page = try await server.request(.GET, "/v1/projects/\(project)/images?perPage=100", token: token)
        var result: [String: [String]] = [:]
        for image in page["items"] as? [[String: Any]] ?? [] {
            let boxes = (image["boxes"] as? [[String: Any]] ?? []).map { box in
                ["label", "x", "y", "width", "height"].map { key in
                    (box[key] as? Double).map { String(format: "%.3f", $0) } ?? "\(box[key]!)"
                }.joined(separator: " ")
            }.sorted()
            result["\(image["contentHash"]!) \(image["split"]!) \(image["splitAutomatic"]!)"] = boxes
        }
        return result
    }

    @Test(arguments: ["coco", "yolo", "voc"])
    func exportThenImportKeepsTheBoxes(format: String) async throws {
        try await TestServer.with(.sqlite) { server in
            let token = try await server.signUp("ada")
            let source = try await server.createProject("birds", token: token, task: "detection")
            let ids = try await server.uploadImages([1, 2, 3], label: nil, to: source, token: token)
            _ = try await server.request(
                .PATCH, "/v1/projects/\(source)/images/\(ids[0])", token: token,
                json: ["boxes": Self.boxes, "split": "train"])
            _ = try await server.request(
                .PATCH, "/v1/projects/\(source)/images/\(ids[1])", token: token, json: ["boxes": [Self.boxes[1]]])
            let export = try await server.request(
                .GET, "/v1/projects/\(source)/dataset/export?format=\(format)", token: token)
            #expect(export.status == 200)
            let copy = try await server.createProject("copy", token: token, task: "detection")
            let report = try await ZipTests.importZip(export.body, server, project: copy, token: token)
            #expect(report["accepted"] as? Int == 3 && report["rejected"] as? Int == 0, "\(report.text)")
            #expect(
                try await Self.boxesByContent(server, project: copy, token: token)
                    == Self.boxesByContent(server, project: source, token: token))
        }
    }

    @Test func importsAYOLODatasetLaidOutTheUsualWay() async throws {
        try await TestServer.with(.sqlite) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("birds", token: token, task: "detection")
            let archive = try await ZipTests.zip([
                ["name": "data.yaml", "text": "train: images/train\nval: images/val\nnames: ['robin', 'wren']\n"],
                ["name": "images/train/a.png", "data": TestImages.png(seed: 1)],
                ["name": "labels/train/a.txt", "text": "0 0.25 0.5 0.25 0.5\n1 0.75 0.125 0.5 0.25\n"],
                ["name": "images/val/b.png", "data": TestImages.png(seed: 2)],
                ["name": "labels/val/b.txt", "text": ""],
                ["name": "images/train/c.png", "data": TestImages.png(seed: 3)],
                ["name": "labels/train/c.txt", "text": "7 0.5 0.5 0.2 0.2\n"],
            ])
            let report = try await ZipTests.importZip(archive, server, project: project, token: token)
            #expect(report["accepted"] as? Int == 3, "\(report.text)")
            let page = try await server.request(.GET, "/v1/projects/\(project)/images?sort=fileName", token: token)
            let images = page["items"] as? [[String: Any]] ?? []
            let labels = images.map { ($0["boxes"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String } }
            #expect(labels == [["robin", "wren"], [], ["class7"]])
            #expect(images.map { $0["split"] as? String } == ["train", "test", "train"])
            let first = try #require((images.first?["boxes"] as? [[String: Any]])?.first)
            #expect(
                abs((first["x"] as? Double ?? 0) - 0.125) < 1e-9 && abs((first["height"] as? Double ?? 0) - 0.5) < 1e-9)
        }
    }

    @Test func importsPascalVOCAndCOCO() async throws {
        try await TestServer.with(.sqlite) { server in
            let token = try await server.signUp("ada")
            let voc = try await server.createProject("voc", token: token, task: "detection")
            let xml =
                "<annotation><size><width>32</width><height>24</height></size><object><name>robin</name><bndbox><xmin>4</xmin><ymin>6</ymin><xmax>12</xmax><ymax>18</ymax></bndbox></object></annotation>"
            let vocZip = try await ZipTests.zip([
                ["name": "JPEGImages/a.png", "data": TestImages.png(seed: 1)],
                ["name": "Annotations/a.xml", "text": xml],
                ["name": "a2.png", "data": TestImages.png(seed: 5)],
                ["name": "a2.xml", "text": xml],
            ])
            #expect(try await ZipTests.importZip(vocZip, server, project: voc, token: token)["accepted"] as? Int == 2)
            let vocBoxes = try await Self.boxesByContent(server, project: voc, token: token).values.map { $0 }
            #expect(vocBoxes.allSatisfy { $0 == ["robin 0.125 0.250 0.250 0.500"] }, "\(vocBoxes)")

            let coco = try await server.createProject("coco", token: token, task: "detection")
            let document =
                #"{"images": [{"id": 7, "file_name": "pics/b.png", "width": 32, "height": 24}], "annotations": [{"id": 1, "image_id": 7, "category_id": 3, "bbox": [16, 0, 16, 6]}], "categories": [{"id": 3, "name": "wren"}]}"#
            let cocoZip = try await ZipTests.zip([
                ["name": "pics/b.png", "data": TestImages.png(seed: 2)],
                ["name": "instances.json", "text": document],
            ])
            #expect(try await ZipTests.importZip(cocoZip, server, project: coco, token: token)["accepted"] as? Int == 1)
            #expect(
                Array(try await Self.boxesByContent(server, project: coco, token: token).values) == [
                    ["wren 0.500 0.000 0.500 0.250"]
                ])
        }
    }
}
