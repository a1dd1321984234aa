// Reading and writing the backup file line by line, with a running SHA-256, so that memory
// stays flat however large the blobs table is.
import Crypto
import Foundation

/// Writes lines to `path + ".partial"` and renames it to `path` only when finished, so a
/// failed backup never leaves a file that looks complete. The file is readable by its owner
/// only: it holds password hashes and every image.
package final class BackupFileWriter {
    package let path: String
    private let partialPath: String
    private let handle: FileHandle
    private var buffer = Data()
    private var hasher = SHA256()
    package private(set) var bytes = 0

    package init(path: String) throws {
        self.path = path
        partialPath = path + ".partial"
        guard !FileManager.default.fileExists(atPath: path) else {
            throw BackupError(description: "\(path) already exists; choose another file or remove it first")
        }
        guard
            FileManager.default.createFile(atPath: partialPath, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: partialPath)
        else {
            throw BackupError(description: "cannot create \(partialPath): check that its folder exists and is writable")
        }
        self.handle = handle
    }

    package func writeLine<T: Encodable>(_ value: T) throws {
        var line = try BackupFormat.encoder.encode(value)
        line.append(0x0A)
        hasher.update(data: line)
        bytes += line.count
        buffer.append(line)
        if buffer.count >= 4 << 20 { try flush() }
    }

    /// The checksum of everything written so far.
    package var sha256: String { Hex.string(hasher.finalize()) }

    /// Appends `manifest` (which is not part of the checksum), closes and renames the file.
    package func finish(manifest: BackupFormat.Manifest) throws {
        var line = try BackupFormat.encoder.encode(manifest)
        line.append(0x0A)
        buffer.append(line)
        try flush()
        try handle.synchronize()
        try handle.close()
        try FileManager.default.moveItem(atPath: partialPath, toPath: path)
    }

    /// Removes the partial file after a failure.
    package func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partialPath)
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Reads a backup file one line at a time (lines may be many megabytes: a blob per row).
package final class BackupFileReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var start = 0
    private var searched = 0  // bytes from `start` known to hold no newline
    private var atEnd = false

    package init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BackupError(description: "cannot read \(path): no such file, or not readable")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The next line without its newline, or nil at the end of the file.
    package func nextLine() throws -> Data? {
        while true {
            if let newline = buffer[(start + searched)...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                searched = 0
                return Data(line)
            }
            searched = buffer.count - start
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                searched = 0
                return Data(line)
            }
            buffer.removeSubrange(0..<start)
            start = 0
            if let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                buffer.append(chunk)
            } else {
                atEnd = true
            }
        }
    }
}
