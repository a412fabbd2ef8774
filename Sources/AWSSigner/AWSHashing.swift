import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Digests the request layer needs besides signing, kept here so that only this target links swift-crypto.
public enum AWSHashing {
    /// Lowercase hex SHA-256 of `bytes` (the `x-amz-content-sha256` form).
    public static func sha256Hex(_ bytes: [UInt8]) -> String { SigningHash.sha256Hex(bytes) }

    /// Base64 MD5 of `bytes`, the `Content-MD5` header S3 requires on DeleteObjects and lifecycle PUTs.
    public static func md5Base64(_ bytes: [UInt8]) -> String {
        Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
    }
}
