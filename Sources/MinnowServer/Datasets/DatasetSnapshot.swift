// What a project's dataset looks like, row by row, without any pixels: the input for
// label counts and the analysis. One query for images, one for boxes.
import APITypes
import Fluent
import Foundation
import SQLKit

struct DatasetSnapshot {
    struct Row {
        let id: UUID
        let label: String?
        let boxLabels: [String]
        let split: String
        let width: Int
        let height: Int
        let colorMode: String
        let differenceHash: UInt64

        /// The labels this image counts towards: its class, or the classes of its boxes.
        var labels: Set<String> { label.map { [$0] } ?? Set(boxLabels) }
    }

    let rows: [Row]

    static func load(projectID: UUID, on db: any Database) async throws -> DatasetSnapshot {
        let images = try await DatasetImage.query(on: db).filter(\.$project.$id == projectID)
            .field(\.$id).field(\.$label).field(\.$split).field(\.$width).field(\.$height).field(\.$colorMode).field(\.$differenceHash)
            .all()
        let boxes = try await Box.query(on: db).join(DatasetImage.self, on: \Box.$image.$id == \DatasetImage.$id)
            .filter(DatasetImage.self, \.$project.$id == projectID).field(\.$image.$id).field(\.$label).all()
        let boxLabels = Dictionary(grouping: boxes, by: { $0.$image.id }).mapValues { $0.map(\.label) }
        return DatasetSnapshot(rows: try images.map { image in
            let id = try image.requireID()
            return Row(id: id, label: image.label, boxLabels: boxLabels[id] ?? [], split: image.split, width: image.width,
                       height: image.height, colorMode: image.colorMode, differenceHash: UInt64(bitPattern: image.differenceHash))
        })
    }

    func labelCounts() -> [Components.Schemas.LabelCount] {
        Self.labelCounts(rows.map { (Array($0.labels), $0.split) })
    }

    /// Images per label and split, from each image's labels (its class, or its boxes' classes).
    static func labelCounts(_ images: [(labels: [String], split: String)]) -> [Components.Schemas.LabelCount] {
        var train: [String: Int] = [:], test: [String: Int] = [:]
        for image in images {
            for label in Set(image.labels) {
                if image.split == "test" { test[label, default: 0] += 1 } else { train[label, default: 0] += 1 }
            }
        }
        return Set(train.keys).union(test.keys).sorted().map {
            .init(label: $0, train: train[$0] ?? 0, test: test[$0] ?? 0, total: (train[$0] ?? 0) + (test[$0] ?? 0))
        }
    }
}
