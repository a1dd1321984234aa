// Loads `--tls-cert`/`--tls-key` into the server's TLS configuration and checks them before
// the port opens, so a wrong file stops `minnow serve` with one clear line instead of failing
// every handshake later. Messages name the files, never their contents (no key material).
import Foundation
import MinnowCore
import NIOSSL
import Vapor

enum TLSFiles {
    static func serverConfiguration(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
        try checkReadable(certificateFile, what: "TLS certificate")
        try checkReadable(keyFile, what: "TLS key")

        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            chain = []
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(
                description:
                    "TLS certificate file \(certificateFile) holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)."
            )
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ConfigurationError(
                description:
                    "TLS key file \(keyFile) holds no unencrypted PEM private key (an encrypted key needs its passphrase removed, e.g. openssl pkey -in KEY -out KEY.plain)."
            )
        }

        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        // Building a context is where BoringSSL checks that the key belongs to the certificate.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(
                description: "TLS key file \(keyFile) does not match the certificate in \(certificateFile).")
        }
        return configuration
    }

    private static func checkReadable(_ path: String, what: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ConfigurationError(description: "\(what) file \(path) does not exist.")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ConfigurationError(description: "\(what) file \(path) is not readable by this user.")
        }
    }
}

/// Set on each request by `SecureHeadersMiddleware` when the port serves HTTPS, so cookies
/// made for that request are marked `Secure`.
enum ServedOverTLSKey: StorageKey {
    typealias Value = Bool
}
