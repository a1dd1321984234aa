// What happened to one file added to a dataset (an uploaded file, an archive entry, a camera
// frame): stored as a new image, a duplicate of an image already there, or rejected with the
// reason. An import job keeps them in its stored report (`StoredImportReport`), so their keys
// are spelled out, the ones rows written before this type existed carry.
import Foundation

package struct FileOutcome: Codable, Sendable, Equatable {
    package enum Status: String, Codable, Sendable, CaseIterable {
        case accepted, duplicate, rejected
    }

    package var fileName: String
    package var status: Status
    /// The new image (accepted), or the image that already has the same content (duplicate).
    package var imageId: String?
    package var reason: String?

    package enum CodingKeys: String, CodingKey {
        case fileName = "fileName", status = "status", imageId = "imageId", reason = "reason"
    }

    package init(fileName: String, status: Status, imageId: String? = nil, reason: String? = nil) {
        self.fileName = fileName
        self.status = status
        self.imageId = imageId
        self.reason = reason
    }
}

extension Sequence<FileOutcome> {
    /// How many of the files ended with `status`.
    package func count(_ status: FileOutcome.Status) -> Int {
        count(where: { $0.status == status })
    }
}
