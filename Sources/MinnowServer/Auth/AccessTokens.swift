// Access tokens for people: compact JWTs signed with HMAC-SHA256 (RFC 7519, alg HS256).
// Only HS256 is accepted, whatever the header claims. Revocation (sign-out) and
// password changes are checked by `Authenticator`, not here: this type only signs and verifies.
import Crypto
import Foundation
import MinnowCore

struct AccessTokenClaims: Codable, Equatable {
    /// The user's id.
    var sub: UUID
    /// This token's id, used to revoke it.
    var jti: UUID
    var iat: Int
    var exp: Int
    /// The user's token generation when issued; a password change bumps it.
    var gen: Int

    var expiresAt: Date { Date(timeIntervalSince1970: TimeInterval(exp)) }
}

struct AccessTokens: Sendable {
    let key: SymmetricKey
    let lifetime: TimeInterval

    init(secret: Data, lifetime: TimeInterval) {
        key = SymmetricKey(data: secret)
        self.lifetime = lifetime
    }

    func issue(userID: UUID, generation: Int, now: Date = Date()) throws -> (token: String, claims: AccessTokenClaims) {
        let issued = Int(now.timeIntervalSince1970)
        let claims = AccessTokenClaims(
            sub: userID, jti: UUID(), iat: issued, exp: issued + Int(lifetime), gen: generation)
        let header = Self.base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Self.base64URL(try JSONEncoder().encode(claims))
        let signature = Self.base64URL(
            Data(HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: key)))
        return ("\(header).\(payload).\(signature)", claims)
    }

    /// The claims of a well-signed, unexpired token; nil for anything else.
    func verify(_ token: String, now: Date = Date()) -> AccessTokenClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerData = Self.decodeBase64URL(parts[0]),
            let header = try? JSONDecoder().decode([String: String].self, from: headerData),
            header["alg"] == "HS256",
            let signature = Self.decodeBase64URL(parts[2]),
            HMAC<SHA256>.isValidAuthenticationCode(
                signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8), using: key),
            let payload = Self.decodeBase64URL(parts[1]),
            let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: payload),
            claims.expiresAt > now
        else { return nil }
        return claims
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
