// Where `minnow login` keeps the server and access token: a JSON file readable by its
// owner only (0600) in $MINNOW_CONFIG_DIR, else $XDG_CONFIG_HOME/minnow, else ~/.config/minnow.
import Foundation

struct StoredCredentials: Codable {
    var server: String
    var username: String
    var accessToken: String
    var expiresAt: Date
}

enum CredentialsStore {
    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["MINNOW_CONFIG_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("minnow")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config/minnow")
    }

    static var file: URL { directory.appendingPathComponent("credentials.json") }

    static func load() -> StoredCredentials? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(StoredCredentials.self, from: data)
    }

    static func save(_ credentials: StoredCredentials) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(credentials)
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Create with 0600 before writing so the token is never readable by others, even briefly.
        _ = FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        try data.write(to: file)
    }

    static func remove() {
        try? FileManager.default.removeItem(at: file)
    }
}
