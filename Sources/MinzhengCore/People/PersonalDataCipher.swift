import Crypto
import Foundation

/// Encrypts personal data at rest (AES-256-GCM) and makes keyed look-up hashes (HMAC-SHA256) so equal ID
/// numbers can be found and kept unique without decrypting. Both keys are derived from one master key.
public struct PersonalDataCipher: Sendable {
    // Kept as bytes: this version of swift-crypto does not mark SymmetricKey Sendable.
    private let encryptionKeyBytes: Data
    private let hashKeyBytes: Data
    private var encryptionKey: SymmetricKey { SymmetricKey(data: encryptionKeyBytes) }
    private var hashKey: SymmetricKey { SymmetricKey(data: hashKeyBytes) }

    /// `masterKey` must be 32 bytes.
    public init(masterKey: Data) {
        let master = SymmetricKey(data: masterKey)
        encryptionKeyBytes = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("minzheng personal data v1".utf8), outputByteCount: 32)
            .withUnsafeBytes { Data($0) }
        hashKeyBytes = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("minzheng look-up hash v1".utf8), outputByteCount: 32)
            .withUnsafeBytes { Data($0) }
    }

    /// Nonce, ciphertext and tag in one blob.
    public func seal(_ text: String) throws -> Data {
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: encryptionKey).combined else {
            throw CipherError.sealFailed
        }
        return combined
    }

    public func open(_ blob: Data) throws -> String {
        let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: blob), using: encryptionKey)
        return String(decoding: plain, as: UTF8.self)
    }

    /// A stable keyed hash (hex) of a normalised value, for equality look-ups.
    public func lookupHash(_ value: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: hashKey).hexString
    }

    /// A new random master key, as stored in the data directory when `MINZHENG_SECRET_KEY` is unset.
    public static func generateMasterKey() -> Data { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) } }
}

public enum CipherError: Error { case sealFailed }

extension Sequence where Element == UInt8 {
    /// Lower-case hex. (`String(format:)` per byte cost a tenth of a booking's CPU time.)
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension HashedAuthenticationCode {
    var hexString: String { Array(self).hexString }
}

/// Random bearer secrets (client keys, session tokens) and the hash they are stored under.
public enum Secrets {
    /// `prefix` + 43 characters of base64url (256 random bits).
    public static func token(prefix: String) -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return prefix + bytes.base64URL
    }

    /// Tokens are high-entropy: a plain SHA-256 is enough to store them.
    public static func hash(_ token: String) -> String { Array(SHA256.hash(data: Data(token.utf8))).hexString }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
