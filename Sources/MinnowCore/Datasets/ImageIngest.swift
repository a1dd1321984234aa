// Adds files to a project's dataset: the single path for uploads, zip imports and (later)
// device ingestion. Two phases: `prepare` decodes a file off the event loops (proving it is
// a real JPEG or PNG within the limits, making its thumbnail and perceptual hash) and needs
// no database; `store` writes a batch of prepared files in one transaction. The same bytes
// twice in one project are reported as a duplicate of the image already there.
import FluentKit
import Foundation
import Imaging
import NIOPosix

package struct ImageIngest: Sendable {
    package let db: any Database
    package let projectID: UUID
    package let threadPool: NIOThreadPool

    package static let maximumFileBytes = 20 << 20
    package static let maximumPixels = 40_000_000
    package static let thumbnailSide = 160

    /// A file ready to store, or the reason it cannot be.
    package struct Prepared: Sendable {
        package let fileName: String
        package let data: Data
        package let hash: BlobID
        package var label: String?
        package var split: SplitChoice
        package let source: ImageSource
        /// Detection boxes that came with the file (zip imports with annotations).
        package var boxes: [BoxSpec] = []
        package let decoded: Result<DecodedImage, ImageError>

        package init(
            fileName: String, data: Data, hash: BlobID, label: String? = nil, split: SplitChoice, source: ImageSource,
            boxes: [BoxSpec] = [], decoded: Result<DecodedImage, ImageError>
        ) {
            self.fileName = fileName
            self.data = data
            self.hash = hash
            self.label = label
            self.split = split
            self.source = source
            self.boxes = boxes
            self.decoded = decoded
        }
    }

    package func prepare(
        _ data: Data, fileName rawName: String, label: String?, split: SplitChoice?, source: ImageSource
    ) async throws -> Prepared {
        let decoded: Result<DecodedImage, ImageError>
        if data.count > Self.maximumFileBytes {
            decoded = .failure(.corrupt("larger than \(Self.maximumFileBytes >> 20) MB"))
        } else {
            decoded = try await threadPool.runIfActive {
                Result { try DecodedImage(data) }.mapError { $0 as? ImageError ?? .corrupt("\($0)") }
            }
        }
        return Prepared(
            fileName: Self.sanitised(fileName: rawName), data: data, hash: BlobID(content: data), label: label,
            split: split ?? .auto, source: source, decoded: decoded)
    }

    /// Stores a batch in one transaction and a handful of statements; one outcome per file, in order.
    /// The transaction reads (the project's images with these hashes) before it writes, so on
    /// SQLite it takes the write lock first: see `writeTransaction`. A transaction that fails for
    /// a passing reason (no connection free in time, a lock) rolled back and is tried again,
    /// unless it is part of the caller's own transaction.
    package func store(_ batch: [Prepared]) async throws -> [FileOutcome] {
        try await TransientFailures.retrying(attempts: db.inTransaction ? 1 : 6, logger: db.logger) {
            try await storeOnce(batch)
        }
    }

    private func storeOnce(_ batch: [Prepared]) async throws -> [FileOutcome] {
        try await db.writeTransaction { db in
            let hashes = batch.map(\.hash.hex)
            var existing: [String: DatasetImage] = [:]
            for image in try await DatasetImage.query(on: db).filter(\.$project.$id == projectID).filter(
                \.$blobID ~~ hashes
            ).all() {
                existing[image.blobID] = image
            }
            var outcomes: [FileOutcome] = []
            var newImages: [DatasetImage] = [], newBoxes: [Box] = [], contents: [Data] = []
            for file in batch {
                switch file.decoded {
                case .failure(let error):
                    outcomes.append(FileOutcome(fileName: file.fileName, status: .rejected, reason: error.description))
                case .success(let decoded):
                    if let twin = existing[file.hash.hex] {
                        outcomes.append(
                            FileOutcome(
                                fileName: file.fileName, status: .duplicate, imageId: twin.id?.apiString,
                                reason: "same content as \(twin.fileName)"))
                        continue
                    }
                    let image = makeImage(file, decoded)
                    let id = try image.requireID()
                    existing[file.hash.hex] = image
                    newImages.append(image)
                    newBoxes += file.boxes.map {
                        Box(imageID: id, label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height)
                    }
                    contents += [file.data, decoded.thumbnail]
                    outcomes.append(FileOutcome(fileName: file.fileName, status: .accepted, imageId: id.apiString))
                }
            }
            guard !newImages.isEmpty else { return outcomes }
            try await DatabaseBlobStore(database: db, references: BlobReferences.all).putAll(contents)
            try await newImages.create(on: db)
            if !newBoxes.isEmpty { try await newBoxes.create(on: db) }
            return outcomes
        }
    }

    /// Prepares many files at once, using every thread of the pool; results in input order.
    package func prepareAll(
        _ files: [(data: Data, fileName: String, label: String?, split: SplitChoice?)], source: ImageSource
    ) async throws -> [Prepared] {
        try await withThrowingTaskGroup(of: (Int, Prepared).self) { group in
            for (index, file) in files.enumerated() {
                group.addTask {
                    (
                        index,
                        try await prepare(
                            file.data, fileName: file.fileName, label: file.label, split: file.split, source: source)
                    )
                }
            }
            var prepared = [Prepared?](repeating: nil, count: files.count)
            for try await (index, item) in group { prepared[index] = item }
            return prepared.compactMap { $0 }
        }
    }

    package func ingest(
        _ data: Data, fileName: String, label: String?, split: SplitChoice?, source: ImageSource
    ) async throws -> FileOutcome {
        try await store([prepare(data, fileName: fileName, label: label, split: split, source: source)])[0]
    }

    private func makeImage(_ file: Prepared, _ decoded: DecodedImage) -> DatasetImage {
        let image = DatasetImage()
        image.id = UUID()
        image.$project.id = projectID
        image.blobID = file.hash.hex
        image.thumbnailBlobID = BlobID(content: decoded.thumbnail).hex
        image.fileName = file.fileName
        image.width = decoded.info.width
        image.height = decoded.info.height
        image.colorMode = decoded.info.channels == 1 ? .grayscale : .rgb
        image.format = decoded.info.format
        image.size = file.data.count
        image.label = file.label
        image.source = file.source
        image.differenceHash = Int64(bitPattern: decoded.differenceHash)
        image.setSplit(file.split)
        return image
    }

    /// The last path component, without control characters or slashes, at most 200 characters.
    package static func sanitised(fileName: String) -> String {
        let last = fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(200))
        return clean.isEmpty || clean == "." || clean == ".." ? "image" : clean
    }

    package init(db: any Database, projectID: UUID, threadPool: NIOThreadPool) {
        self.db = db
        self.projectID = projectID
        self.threadPool = threadPool
    }
}

/// The facts storing an image needs from its pixels.
package struct DecodedImage: Sendable {
    package let info: ImageInfo
    package let thumbnail: Data
    package let differenceHash: UInt64

    package init(_ data: Data) throws {
        let image = try Image(decoding: data, maximumPixels: ImageIngest.maximumPixels)
        info = try Image.info(of: data)
        thumbnail = try image.thumbnail(maximumSide: ImageIngest.thumbnailSide).jpegData(quality: 80)
        differenceHash = image.differenceHash()
    }
}

extension DatasetImage {
    /// Sets an explicit split, or `auto`: the stable hash rule, which puts about 20% of
    /// images in `test` by their content hash so the test set does not drift as data grows.
    package func setSplit(_ choice: SplitChoice) {
        switch choice {
        case .train:
            split = .train
            splitAutomatic = false
        case .test:
            split = .test
            splitAutomatic = false
        case .auto:
            let firstByte = UInt8(blobID.prefix(2), radix: 16) ?? 0
            split = firstByte < 51 ? .test : .train
            splitAutomatic = true
        }
    }
}
