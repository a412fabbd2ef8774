import Crypto

/// The hashing steps of SigV4: SHA-256 hex digests and the HMAC chain that derives the signing key.
enum SigningHash {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")`.
    static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        let kDate = HMAC<SHA256>.authenticationCode(for: Array(date.utf8), using: SymmetricKey(data: Array("AWS4\(secret)".utf8)))
        let kRegion = HMAC<SHA256>.authenticationCode(for: Array(region.utf8), using: SymmetricKey(data: kDate))
        let kService = HMAC<SHA256>.authenticationCode(for: Array(service.utf8), using: SymmetricKey(data: kRegion))
        let kSigning = HMAC<SHA256>.authenticationCode(for: Array("aws4_request".utf8), using: SymmetricKey(data: kService))
        return SymmetricKey(data: kSigning)
    }
}

/// Digests the credential providers need outside SigV4.
public enum CredentialDigest {
    /// Lowercase hex SHA-1 of the UTF-8 bytes of `text`: the file name (before `.json`) of an IAM
    /// Identity Center token in `~/.aws/sso/cache`, taken of the `sso_session` name (or, for a
    /// legacy profile, of `sso_start_url`).
    public static func sha1Hex(_ text: String) -> String {
        SigningHash.hex(Insecure.SHA1.hash(data: Array(text.utf8)))
    }
}
