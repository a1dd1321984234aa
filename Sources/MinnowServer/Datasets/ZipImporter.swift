// Imports a zip laid out as in `DatasetLayout`, treating the archive as hostile: every entry
// is checked before a byte of it is extracted, extraction stops at the declared size, and the
// archive as a whole is bounded in entries and expanded bytes. Each skipped entry is reported
// with its reason; the rest are added through `ImageIngest` like any upload.
import APITypes
import Foundation
import ZIPFoundation

struct ZipImporter {
    struct Limits {
        var entries = 200_000
        var expandedBytes: UInt64 = 8 << 30
        /// Entries over 1 MiB may expand at most this many times their compressed size.
        var compressionRatio: UInt64 = 100
    }

    let ingest: ImageIngest
    /// `detection` reads boxes from annotation files and ignores folder names as labels.
    let task: String
    var limits = Limits()
    /// Called after each stored batch with (entries processed, entries in the archive).
    var progress: @Sendable (Int, Int) async -> Void = { _, _ in }

    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]
    static let archiveExtensions: Set<String> = ["zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst"]

    enum Refusal: Error {
        case notAZip
        case tooManyEntries(Int, limit: Int)
    }

    func importArchive(at url: URL) async throws -> Components.Schemas.ImportReport {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw Refusal.notAZip
        }
        let entries = Array(archive)
        guard entries.count <= limits.entries else { throw Refusal.tooManyEntries(entries.count, limit: limits.entries) }
        let annotations = task == "detection" ? AnnotationIndex(archive: archive, entries: entries) : nil

        var outcomes: [Components.Schemas.FileOutcome] = []
        var expanded: UInt64 = 0
        // Extracted entries wait here until a batch is decoded in parallel and stored at once.
        var pending: [(data: Data, fileName: String, label: String?, split: Components.Schemas.SplitChoice?)] = []
        var pendingBoxes: [[BoxSpec]] = []
        var pendingPaths: [String] = []
        func flush() async throws {
            var prepared = try await ingest.prepareAll(pending, source: "import")
            for index in prepared.indices { prepared[index].boxes = pendingBoxes[index] }
            for (path, var outcome) in zip(pendingPaths, try await ingest.store(prepared)) {
                outcome.fileName = path
                outcomes.append(outcome)
            }
            pending = []
            pendingPaths = []
            pendingBoxes = []
            await progress(processed, entries.count)
        }
        var processed = 0
        for entry in entries {
            processed += 1
            if entry.type == .directory || annotations?.files.contains(entry.path) == true { continue }
            let path = entry.path
            func skip(_ reason: String) { outcomes.append(.init(fileName: path, status: .rejected, reason: reason)) }

            if entry.type == .symlink { skip("symbolic links are not followed"); continue }
            let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if path.hasPrefix("/") || path.contains("\\") || components.first?.contains(":") == true { skip("absolute paths are not allowed"); continue }
            if components.contains("..") { skip("paths that leave the archive (\"..\") are not allowed"); continue }
            let fileName = components.last ?? ""
            if components.contains("__MACOSX") || fileName.hasPrefix(".") { skip("hidden or system file"); continue }
            let fileExtension = (fileName as NSString).pathExtension.lowercased()
            if Self.archiveExtensions.contains(fileExtension) { skip("nested archives are not opened"); continue }
            guard Self.imageExtensions.contains(fileExtension) else { skip("not an image file (expected .jpg, .jpeg or .png)"); continue }
            let placement: DatasetLayout.Placement
            var boxes: [BoxSpec] = []
            if let annotations {
                guard components.count <= 5 else { skip("folders nested too deeply"); continue }
                placement = DatasetLayout.detectionPlacement(ofDirectories: Array(components.dropLast()))
                boxes = (annotations.boxes(for: path) ?? []).compactMap(\.clamped)
                if let bad = boxes.first(where: { LabelRules.problem(with: $0.label) != nil }) {
                    skip(LabelRules.problem(with: bad.label)!); continue
                }
            } else {
                switch DatasetLayout.placement(ofDirectories: Array(components.dropLast())) {
                case .success(let found): placement = found
                case .failure(let error): skip(error.reason); continue
                }
            }
            let size = UInt64(entry.uncompressedSize)
            guard size <= UInt64(ImageIngest.maximumFileBytes) else { skip("larger than \(ImageIngest.maximumFileBytes >> 20) MB"); continue }
            if size > 1 << 20 && size > UInt64(entry.compressedSize) * limits.compressionRatio {
                skip("suspicious compression ratio (\(size / max(1, UInt64(entry.compressedSize))):1)"); continue
            }
            expanded += size
            guard expanded <= limits.expandedBytes else {
                skip("the archive expands beyond \(limits.expandedBytes >> 30) GiB; the rest is not imported"); break
            }
            var content = Data(capacity: Int(size))
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    guard UInt64(content.count + chunk.count) <= size else { throw ExtractionOverflow() }
                    content.append(chunk)
                }
            } catch {
                skip("the entry is corrupt or larger than it declares"); continue
            }
            pending.append((content, fileName, placement.label, placement.split))
            pendingPaths.append(path)
            pendingBoxes.append(boxes)
            if pending.count >= 128 { try await flush() }
        }
        try await flush()
        let summary = Components.Schemas.UploadReport.summary(of: outcomes)
        return .init(value1: summary, value2: .init(entries: entries.count))
    }

    private struct ExtractionOverflow: Error {}
}
