// What a project's dataset looks like, row by row, without any pixels: the input for
// label counts and the analysis. One query for images, one for boxes.
import FluentKit
import Foundation
import Imaging
import SQLKit

package struct DatasetSnapshot {
    package struct Row {
        package let id: UUID
        package let label: String?
        package let boxLabels: [String]
        package let split: ImageSplit
        package let width: Int
        package let height: Int
        package let colorMode: ColorMode
        package let differenceHash: UInt64

        /// The labels this image counts towards: its class, or the classes of its boxes.
        package var labels: Set<String> { label.map { [$0] } ?? Set(boxLabels) }

        package init(
            id: UUID, label: String?, boxLabels: [String], split: ImageSplit, width: Int, height: Int,
            colorMode: ColorMode, differenceHash: UInt64
        ) {
            self.id = id
            self.label = label
            self.boxLabels = boxLabels
            self.split = split
            self.width = width
            self.height = height
            self.colorMode = colorMode
            self.differenceHash = differenceHash
        }
    }

    package let rows: [Row]

    package static func load(projectID: UUID, on db: any Database) async throws -> DatasetSnapshot {
        // Plain SQL rows, not Fluent models: a model per image costs several times the row, and
        // this runs on every analysis of the whole dataset.
        let images = try await (db as! any SQLDatabase).select()
            .columns("id", "label", "split", "width", "height", "color_mode", "difference_hash")
            .from(DatasetImage.schema).where("project_id", .equal, SQLBind(projectID))
            .all()
        let boxes = try await Box.query(on: db).join(DatasetImage.self, on: \Box.$image.$id == \DatasetImage.$id)
            .filter(DatasetImage.self, \.$project.$id == projectID).field(\.$image.$id).field(\.$label).all()
        let boxLabels = Dictionary(grouping: boxes, by: { $0.$image.id }).mapValues { $0.map(\.label) }
        return DatasetSnapshot(
            rows: try images.map { image in
                let id = try image.decode(column: "id", as: UUID.self)
                return Row(
                    id: id, label: try image.decode(column: "label", as: String?.self), boxLabels: boxLabels[id] ?? [],
                    split: try image.decode(column: "split", as: ImageSplit.self),
                    width: try image.decode(column: "width", as: Int.self),
                    height: try image.decode(column: "height", as: Int.self),
                    colorMode: try image.decode(column: "color_mode", as: ColorMode.self),
                    differenceHash: UInt64(bitPattern: try image.decode(column: "difference_hash", as: Int64.self)))
            })
    }

    package func labelCounts() -> [LabelCount] {
        Self.labelCounts(rows.map { (Array($0.labels), $0.split) })
    }

    /// The same counts as `load(...).labelCounts()`, added up by the database: pages that only
    /// need the labels no longer load a row per image (their memory and time grew with the
    /// dataset; the soak benchmark showed the server's RSS following the largest project).
    package static func labelCounts(projectID: UUID, on db: any Database) async throws -> [LabelCount] {
        let rows = try await (db as! any SQLDatabase).raw(
            """
            SELECT label, split, COUNT(*) AS images FROM \(ident: DatasetImage.schema)
            WHERE project_id = \(bind: projectID) AND label IS NOT NULL GROUP BY label, split
            UNION ALL
            SELECT b.label, i.split, COUNT(DISTINCT i.id) AS images FROM \(ident: Box.schema) b
            JOIN \(ident: DatasetImage.schema) i ON b.image_id = i.id
            WHERE i.project_id = \(bind: projectID) AND i.label IS NULL GROUP BY b.label, i.split
            """
        ).all()
        var train: [String: Int] = [:], test: [String: Int] = [:]
        for row in rows {
            let label = try row.decode(column: "label", as: String.self),
                images = try row.decode(column: "images", as: Int.self)
            if try row.decode(column: "split", as: ImageSplit.self) == .test {
                test[label, default: 0] += images
            } else {
                train[label, default: 0] += images
            }
        }
        return labelCounts(train: train, test: test)
    }

    /// Images per label and split, from each image's labels (its class, or its boxes' classes).
    package static func labelCounts(_ images: [(labels: [String], split: ImageSplit)]) -> [LabelCount] {
        var train: [String: Int] = [:], test: [String: Int] = [:]
        for image in images {
            for label in Set(image.labels) {
                if image.split == .test { test[label, default: 0] += 1 } else { train[label, default: 0] += 1 }
            }
        }
        return labelCounts(train: train, test: test)
    }

    private static func labelCounts(train: [String: Int], test: [String: Int]) -> [LabelCount] {
        Set(train.keys).union(test.keys).sorted().map {
            .init(label: $0, train: train[$0] ?? 0, test: test[$0] ?? 0, total: (train[$0] ?? 0) + (test[$0] ?? 0))
        }
    }

    package init(rows: [Row]) {
        self.rows = rows
    }
}
