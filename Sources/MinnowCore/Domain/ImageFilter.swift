// Which images of a project to show: by label (class or box label), split, source, only
// unlabelled ones; in an order. Shared by the API's image list and the data page's grid.
import FluentKit
import Foundation

package struct ImageFilter {
    package enum Order: String, CaseIterable { case newest, oldest, fileName }

    package var label: String?
    package var split: ImageSplit?
    package var source: ImageSource?
    package var unlabelled = false
    package var order: Order = .newest

    package func query(projectID: UUID, on db: any Database) async throws -> QueryBuilder<DatasetImage> {
        var query = DatasetImage.query(on: db).filter(\.$project.$id == projectID).with(\.$boxes)
        if let label {
            let boxed = try await boxedImages(projectID: projectID, label: label, on: db)
            query = query.group(.or) { $0.filter(\.$label == label).filter(\.$id ~~ boxed) }
        }
        if let split { query = query.filter(\.$split == split) }
        if let source { query = query.filter(\.$source == source) }
        if unlabelled {
            let boxed = try await boxedImages(projectID: projectID, label: nil, on: db)
            query = query.filter(\.$label == nil).filter(\.$id !~ boxed)
        }
        // Images stored in one batch can share a timestamp: they follow by file name, then id, so
        // pages never shuffle between requests.
        switch order {
        case .newest: query = query.sort(\.$createdAt, .descending).sort(\.$fileName, .ascending)
        case .oldest: query = query.sort(\.$createdAt, .ascending).sort(\.$fileName, .ascending)
        case .fileName: query = query.sort(\.$fileName, .ascending)
        }
        return query.sort(\.$id)
    }

    /// Images with at least one box (labelled `label`, when given).
    private func boxedImages(projectID: UUID, label: String?, on db: any Database) async throws -> [UUID] {
        var query = Box.query(on: db).join(DatasetImage.self, on: \Box.$image.$id == \DatasetImage.$id)
            .filter(DatasetImage.self, \.$project.$id == projectID)
        if let label { query = query.filter(\.$label == label) }
        return try await query.all(\.$image.$id)
    }

    package init(
        label: String? = nil, split: ImageSplit? = nil, source: ImageSource? = nil, unlabelled: Bool = false,
        order: Order = .newest
    ) {
        self.label = label
        self.split = split
        self.source = source
        self.unlabelled = unlabelled
        self.order = order
    }
}
