// Adds one file to a project's dataset: the single path for uploads, zip imports and (later)
// device ingestion. The file must decode as a real JPEG or PNG within the size limits; the
// original bytes and a thumbnail go to the blob store; the same bytes twice in one project
// are reported as a duplicate of the image already there.
import APITypes
import Fluent
import Foundation
import Imaging
import NIOPosix

struct ImageIngest: Sendable {
    let db: any Database
    let blobs: any BlobStore
    let projectID: UUID
    let threadPool: NIOThreadPool

    static let maximumFileBytes = 20 << 20
    static let maximumPixels = 40_000_000
    static let thumbnailSide = 160

    typealias Outcome = Components.Schemas.FileOutcome

    func ingest(_ data: Data, fileName rawName: String, label: String?, split: Components.Schemas.SplitChoice?, source: String) async throws -> Outcome {
        let fileName = Self.sanitised(fileName: rawName)
        guard data.count <= Self.maximumFileBytes else {
            return Outcome(fileName: fileName, status: .rejected, reason: "larger than \(Self.maximumFileBytes >> 20) MB")
        }
        let hash = BlobID(content: data)
        if let existing = try await DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(\.$blobID == hash.hex).first() {
            return Outcome(fileName: fileName, status: .duplicate, imageId: existing.id?.apiString, reason: "same content as \(existing.fileName)")
        }
        let decoded: DecodedImage
        do {
            decoded = try await threadPool.runIfActive { try DecodedImage(data) }
        } catch let error as ImageError {
            return Outcome(fileName: fileName, status: .rejected, reason: error.description)
        }
        let image = DatasetImage()
        image.$project.id = projectID
        image.blobID = try await blobs.put(data).hex
        image.thumbnailBlobID = try await blobs.put(decoded.thumbnail).hex
        image.fileName = fileName
        image.width = decoded.info.width
        image.height = decoded.info.height
        image.colorMode = decoded.info.channels == 1 ? "grayscale" : "rgb"
        image.format = decoded.info.format.rawValue
        image.size = data.count
        image.label = label
        image.source = source
        image.differenceHash = Int64(bitPattern: decoded.differenceHash)
        image.setSplit(split ?? .auto)
        do {
            try await image.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return Outcome(fileName: fileName, status: .duplicate, reason: "the same content was added at the same time")
        }
        return Outcome(fileName: fileName, status: .accepted, imageId: try image.requireID().apiString)
    }

    /// The last path component, without control characters or slashes, at most 200 characters.
    static func sanitised(fileName: String) -> String {
        let last = fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(200))
        return clean.isEmpty || clean == "." || clean == ".." ? "image" : clean
    }
}

/// The facts an upload needs from the pixels, computed off the event loops.
private struct DecodedImage: Sendable {
    let info: ImageInfo
    let thumbnail: Data
    let differenceHash: UInt64

    init(_ data: Data) throws {
        let image = try Image(decoding: data, maximumPixels: ImageIngest.maximumPixels)
        info = try Image.info(of: data)
        thumbnail = try image.thumbnail(maximumSide: ImageIngest.thumbnailSide).jpegData(quality: 80)
        differenceHash = image.differenceHash()
    }
}

extension DatasetImage {
    /// Sets an explicit split, or `auto`: the stable hash rule, which puts about 20% of
    /// images in `test` by their content hash so the test set does not drift as data grows.
    func setSplit(_ choice: Components.Schemas.SplitChoice) {
        switch choice {
        case .train, .test:
            split = choice.rawValue
            splitAutomatic = false
        case .auto:
            let firstByte = UInt8(blobID.prefix(2), radix: 16) ?? 0
            split = firstByte < 51 ? "test" : "train"
            splitAutomatic = true
        }
    }
}

enum LabelRules {
    /// Folder names an exported zip uses for structure; labels may not take them.
    static let reserved: Set<String> = ["train", "test", "_unlabelled"]

    static func problem(with label: String) -> String? {
        if label.isEmpty || label.count > 64 { return "A label must be 1–64 characters." }
        if label.contains("/") || label.contains("\\") || label.hasPrefix(".") || label.hasPrefix("_") {
            return "A label must not contain slashes or start with \".\" or \"_\" (got \"\(label)\")."
        }
        if label.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            return "A label must not contain control characters."
        }
        if reserved.contains(label.lowercased()) { return "\"\(label)\" is reserved for the dataset's folder layout; choose another label." }
        return nil
    }
}
