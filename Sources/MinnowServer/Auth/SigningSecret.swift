// The secret that signs access tokens. Generated on first start from the system's secure
// random source and persisted (mode 0600) so tokens survive restarts; never a default.
import Foundation
import MinnowCore

enum SigningSecret {
    static func loadOrCreate(at path: String) throws -> Data {
        let url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let secret = Data(base64Encoded: text), secret.count >= 32 else {
                throw ConfigurationError(
                    description:
                        "The signing secret in \(path) is not base64 of at least 32 bytes; delete it to generate a new one (this signs everyone out)."
                )
            }
            return secret
        }
        var generator = SystemRandomNumberGenerator()
        let secret = Data((0..<64).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(secret.base64EncodedString().utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ConfigurationError(
                description: "Could not write the signing secret to \(path); check that the data directory is writable."
            )
        }
        return secret
    }
}
