// Reads a zip laid out as in `DatasetLayout`, treating the archive as hostile: every entry
// is checked before a byte of it is extracted, extraction stops at the declared size, and the
// archive as a whole is bounded in entries and expanded bytes. Each image is handed on with
// its label, split and boxes; each skipped entry is reported with its reason. Import and
// evaluation both read archives through it.
import Foundation
import NeuralNet
import ZIPFoundation

package struct ZipReader {
    package struct Limits {
        package var entries = 200_000
        package var expandedBytes: UInt64 = 8 << 30
        /// Entries over 1 MiB may expand at most this many times their compressed size.
        package var compressionRatio: UInt64 = 100

        package init(expandedBytes: UInt64 = 8 << 30, compressionRatio: UInt64 = 100) {
            self.expandedBytes = expandedBytes
            self.compressionRatio = compressionRatio
        }
    }

    /// An image entry, extracted.
    package struct Entry {
        package var path: String
        package var fileName: String
        package var content: Data
        package var placement: DatasetLayout.Placement
        package var boxes: [BoxSpec]

        package init(
            path: String, fileName: String, content: Data, placement: DatasetLayout.Placement, boxes: [BoxSpec]
        ) {
            self.path = path
            self.fileName = fileName
            self.content = content
            self.placement = placement
            self.boxes = boxes
        }
    }

    package enum Refusal: Error {
        case notAZip
        case tooManyEntries(Int, limit: Int)
    }

    /// `detection` reads boxes from annotation files and ignores folder names as labels.
    package let task: ModelTask
    package var limits = Limits()

    package static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]
    package static let archiveExtensions: Set<String> = ["zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst"]

    /// Reads the archive at `url`, calling `image` for each usable image entry and `rejected` for
    /// every other entry, with (entries processed, entries in the archive) before each entry.
    /// Returns the number of entries in the archive.
    @discardableResult
    package func read(
        at url: URL, image: (Entry, _ processed: Int, _ total: Int) async throws -> Void,
        rejected: (_ path: String, _ reason: String) -> Void
    ) async throws -> Int {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw Refusal.notAZip
        }
        let entries = Array(archive)
        guard entries.count <= limits.entries else {
            throw Refusal.tooManyEntries(entries.count, limit: limits.entries)
        }
        let annotations = task == .detection ? AnnotationIndex(archive: archive, entries: entries) : nil
        var expanded: UInt64 = 0
        var processed = 0
        for entry in entries {
            processed += 1
            if entry.type == .directory || annotations?.files.contains(entry.path) == true { continue }
            let path = entry.path
            func skip(_ reason: String) { rejected(path, reason) }
            if entry.type == .symlink { skip("symbolic links are not followed"); continue }
            let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if path.hasPrefix("/") || path.contains("\\") || components.first?.contains(":") == true {
                skip("absolute paths are not allowed"); continue
            }
            if components.contains("..") { skip("paths that leave the archive (\"..\") are not allowed"); continue }
            let fileName = components.last ?? ""
            if components.contains("__MACOSX") || fileName.hasPrefix(".") { skip("hidden or system file"); continue }
            let fileExtension = (fileName as NSString).pathExtension.lowercased()
            if Self.archiveExtensions.contains(fileExtension) { skip("nested archives are not opened"); continue }
            guard Self.imageExtensions.contains(fileExtension) else {
                skip("not an image file (expected .jpg, .jpeg or .png)"); continue
            }
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
            guard size <= UInt64(ImageIngest.maximumFileBytes) else {
                skip("larger than \(ImageIngest.maximumFileBytes >> 20) MB"); continue
            }
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
            try await image(
                Entry(path: path, fileName: fileName, content: content, placement: placement, boxes: boxes), processed,
                entries.count)
        }
        return entries.count
    }

    private struct ExtractionOverflow: Error {}

    package init(task: ModelTask) {
        self.task = task
    }
}
