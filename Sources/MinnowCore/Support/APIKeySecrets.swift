// API key secrets: `mnw_` (prediction keys: `mnwp_`) followed by 43 base62 characters
// (256 bits from the system's secure random source). Stored as SHA-256 only; the key's entropy makes a slow hash
// unnecessary and lets a request find its key by hash in one indexed lookup.
import Crypto
import Foundation

package enum APIKeySecrets {
    package static let marker = "mnw_"
    package static let predictionMarker = "mnwp_"
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    package static func generate(marker: String = marker) -> String {
        var generator = SystemRandomNumberGenerator()
        return marker + String((0..<43).map { _ in alphabet.randomElement(using: &generator)! })
    }

    package static func hash(_ key: String) -> String {
        Hex.string(SHA256.hash(data: Data(key.utf8)))
    }

    /// What lists show: the marker and the first six characters of the secret.
    package static func prefix(of key: String) -> String {
        let markerLength = key.firstIndex(of: "_").map { key.distance(from: key.startIndex, to: $0) + 1 } ?? 0
        return String(key.prefix(markerLength + 6))
    }
}
