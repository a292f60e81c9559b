public import Crypto
import SystemPlatform

/// Ed25519 key files in the formats OpenSSL reads and writes (`openssl genpkey -algorithm ed25519`,
/// `openssl pkey -pubout`), so keys can be made, inspected and used with standard tools:
///
/// - private key: PEM `PRIVATE KEY`, the PKCS#8 (RFC 8410) DER of the 32-byte seed;
/// - public key: PEM `PUBLIC KEY`, the SubjectPublicKeyInfo (RFC 8410) DER of the 32-byte key.
///
/// Both DER forms are fixed-length for Ed25519, so they are matched byte for byte against the one
/// prefix RFC 8410 allows rather than parsed as general ASN.1: anything else is refused.
public enum SigningKeyFile {
    /// The largest key file read (a PEM Ed25519 key is about 120 bytes).
    public static let maximumSize = 4096

    /// `SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }`.
    static let privatePrefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    /// `SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits, 32 bytes) }`.
    static let publicPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The PEM text of a private key.
    public static func pem(_ key: Curve25519.Signing.PrivateKey) -> String {
        pem(label: "PRIVATE KEY", der: privatePrefix + Array(key.rawRepresentation))
    }

    /// The PEM text of a public key.
    public static func pem(_ key: Curve25519.Signing.PublicKey) -> String {
        pem(label: "PUBLIC KEY", der: publicPrefix + Array(key.rawRepresentation))
    }

    /// Parses a private key file's text; `name` is the file named in errors.
    public static func privateKey(parsing bytes: [UInt8], name: String) throws(ModelBundleError)
        -> Curve25519.Signing
        .PrivateKey
    {
        let raw = try body(of: bytes, label: "PRIVATE KEY", prefix: privatePrefix, name: name)
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        } catch {
            throw ModelBundleError(.keyInvalid, "\(name) is not a valid Ed25519 private key", item: name)
        }
    }

    /// Parses a public key file's text; `name` is the file named in errors.
    public static func publicKey(parsing bytes: [UInt8], name: String) throws(ModelBundleError)
        -> Curve25519.Signing
        .PublicKey
    {
        let raw = try body(of: bytes, label: "PUBLIC KEY", prefix: publicPrefix, name: name)
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        } catch {
            throw ModelBundleError(.keyInvalid, "\(name) is not a valid Ed25519 public key", item: name)
        }
    }

    /// Reads and parses a private key file.
    public static func readPrivateKey(at path: String) throws(ModelBundleError) -> Curve25519.Signing.PrivateKey {
        try privateKey(parsing: try read(path), name: path)
    }

    /// Reads and parses a public key file.
    public static func readPublicKey(at path: String) throws(ModelBundleError) -> Curve25519.Signing.PublicKey {
        try publicKey(parsing: try read(path), name: path)
    }

    /// Generates a key pair and writes it as ``writeKeyPair(_:to:)`` does.
    public static func writeNewKeyPair(to path: String) throws(ModelBundleError) {
        try writeKeyPair(Curve25519.Signing.PrivateKey(), to: path)
    }

    /// Writes a new key pair: the private key to `path` (mode 0600) and the public key to
    /// `path.pub` (mode 0644). Neither may exist; nothing is overwritten.
    public static func writeKeyPair(
        _ key: Curve25519.Signing.PrivateKey,
        to path: String
    ) throws(ModelBundleError) {
        let publicPath = path + ".pub"
        for existing in [path, publicPath] where access(existing, F_OK) == 0 {
            throw ModelBundleError(
                .targetExists,
                "\(existing) already exists; it was left untouched (choose a new path)",
                item: existing
            )
        }
        try writeNew(path, text: pem(key), mode: 0o600)
        do {
            try writeNew(publicPath, text: pem(key.publicKey), mode: 0o644)
        } catch {
            unlink(path)
            throw error
        }
    }

    // MARK: - Internals

    private static func pem(label: String, der: [UInt8]) -> String {
        // Ed25519 DER is 44 or 48 bytes: 60 or 64 base64 characters, one PEM line (PEM's limit is 64).
        "-----BEGIN \(label)-----\n" + CodecBase64.encodeLines(der) + "-----END \(label)-----\n"
    }

    private static func body(
        of bytes: [UInt8],
        label: String,
        prefix: [UInt8],
        name: String
    ) throws(ModelBundleError) -> [UInt8] {
        let expected = "an Ed25519 \(label.lowercased()) in PEM form (-----BEGIN \(label)-----)"
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ModelBundleError(.keyInvalid, "\(name) is not text; expected \(expected)", item: name)
        }
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            $0.trimmingSuffix(while: { $0 == "\r" || $0 == " " })
        }
        guard let first = lines.firstIndex(of: Substring(begin)),
            let last = lines.firstIndex(of: Substring(end)), first < last
        else {
            throw ModelBundleError(.keyInvalid, "\(name) is not \(expected)", item: name)
        }
        guard let der = CodecBase64.decode(lines[(first + 1)..<last].joined()),
            der.count == prefix.count + 32, Array(der.prefix(prefix.count)) == prefix
        else {
            throw ModelBundleError(.keyInvalid, "\(name) is not \(expected)", item: name)
        }
        return Array(der.suffix(32))
    }

    private static func read(_ path: String) throws(ModelBundleError) -> [UInt8] {
        switch FileDescriptor.open(path, flags: O_RDONLY | O_NONBLOCK) {
        case .success(let file):
            do {
                let info = try file.status()
                guard (info.st_mode & S_IFMT) == S_IFREG else {
                    throw ModelBundleError(.keyInvalid, "\(path) is not a regular file", item: path)
                }
                guard Int(info.st_size) <= maximumSize else {
                    throw ModelBundleError(.keyInvalid, "\(path) is too large to be a key file", item: path)
                }
                return try file.readAll(limit: maximumSize, sizeHint: Int(info.st_size))
            } catch let error as ModelBundleError {
                throw error
            } catch {
                throw ModelBundleError(.keyInvalid, "cannot read key file \(path)", item: path)
            }
        case .failure(let error):
            throw ModelBundleError(.keyInvalid, "cannot read key file \(path)", item: path, detail: error.message)
        }
    }

    private static func writeNew(_ path: String, text: String, mode: UInt32) throws(ModelBundleError) {
        switch FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode) {
        case .success(let file):
            var failure: SystemError?
            Array(text.utf8).withUnsafeBytes { buffer in
                do { try file.writeAll(buffer) } catch { failure = error as? SystemError ?? SystemError(errno: EIO) }
            }
            if failure == nil {
                do { try file.sync() } catch { failure = error }
            }
            if let failure {
                unlink(path)
                throw ModelBundleError(.ioFailure, "cannot write \(path)", item: path, detail: failure.message)
            }
        case .failure(let error):
            throw ModelBundleError(.ioFailure, "cannot create \(path)", item: path, detail: error.message)
        }
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
