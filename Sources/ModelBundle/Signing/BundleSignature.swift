public import Crypto
import SystemPlatform

/// The detached signature of a bundle: `checksums.sha256.sig`, the 64-byte Ed25519 signature
/// (RFC 8032, raw bytes) of the exact bytes of `checksums.sha256`.
///
/// Signing the checksums file signs every file it lists; the signature file is the one file the
/// checksums cannot list (it is computed from them), and ``BundleVerification`` allows it. A signed
/// bundle is trusted only when, together: the signature verifies with the trusted key, every listed
/// file matches its digest (``BundleReader``), and no file is present that the checksums do not
/// list (``BundleVerification``). The same check with standard tools:
/// `openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in checksums.sha256 -sigfile checksums.sha256.sig`.
public enum BundleSignature {
    /// The signature file's name inside a bundle.
    public static let fileName = ChecksumManifest.fileName + ".sig"
    /// An Ed25519 signature's size.
    public static let size = 64

    /// Signs the bundle at `directory` with `key`, adding or replacing `checksums.sha256.sig`
    /// atomically (written to a temporary file in the bundle, synced, renamed into place).
    ///
    /// The bundle must be intact first: it parses, has `checksums.sha256`, every listed file
    /// matches and nothing unlisted is present — so a signature never covers a damaged bundle.
    public static func sign(
        _ directory: BundleDirectory,
        with key: Curve25519.Signing.PrivateKey
    ) throws(ModelBundleError) {
        let verification = try BundleReader(path: directory.path).verify()
        guard case .verified = verification.bundle.checksums else {
            throw ModelBundleError(
                .signatureMissing,
                "\(directory.path) has no \(ChecksumManifest.fileName) to sign (written by MLflow?); "
                    + "make a bundle with checksums first (mbundle convert)",
                item: ChecksumManifest.fileName
            )
        }
        try verification.requireClean(directory.path)
        let checksums = try directory.read(
            try BundlePath(ChecksumManifest.fileName),
            limit: ChecksumManifest.maximumSize
        )
        let signature: [UInt8]
        do {
            signature = Array(try key.signature(for: checksums))
        } catch {
            throw ModelBundleError(.ioFailure, "cannot sign \(ChecksumManifest.fileName)", item: directory.path)
        }
        try replaceAtomically(in: directory.path, name: fileName, bytes: signature)
    }

    /// Checks that the bundle at `directory` is signed by `trustedKey` and intact.
    ///
    /// - Throws: ``ModelBundleError/Code/signatureMissing`` when there is no signature (or no
    ///   checksums for it to cover), ``ModelBundleError/Code/signatureInvalid`` when the signature is
    ///   not the trusted key's over `checksums.sha256`, ``ModelBundleError/Code/checksumMismatch``
    ///   naming a changed file, ``ModelBundleError/Code/unsafePath`` naming an added one.
    public static func verify(
        _ directory: BundleDirectory,
        trustedKey: Curve25519.Signing.PublicKey,
        keyName: String
    ) throws(ModelBundleError) {
        let checksumsPath = try BundlePath(ChecksumManifest.fileName)
        let signaturePath = try BundlePath(fileName)
        guard directory.containsFile(checksumsPath) else {
            throw ModelBundleError(
                .signatureMissing,
                "the bundle is unsigned: it has no \(ChecksumManifest.fileName) (and so no \(fileName))",
                item: ChecksumManifest.fileName
            )
        }
        guard directory.containsFile(signaturePath) else {
            throw ModelBundleError(
                .signatureMissing,
                "the bundle is unsigned: it has no \(fileName); sign it with mbundle sign",
                item: fileName
            )
        }
        let signature = try directory.read(signaturePath, limit: size)
        let checksums = try directory.read(checksumsPath, limit: ChecksumManifest.maximumSize)
        guard signature.count == size, trustedKey.isValidSignature(signature, for: checksums) else {
            throw ModelBundleError(
                .signatureInvalid,
                "\(fileName) is not a valid signature by the trusted key \(keyName): "
                    + "signed by another key, or \(ChecksumManifest.fileName) changed after signing",
                item: fileName
            )
        }
        // The signature covers the checksums; the checksums must cover every file.
        let verification = try BundleReader(path: directory.path).verify()
        try verification.requireClean(directory.path)
    }

    /// Writes `bytes` to `name` in `directoryPath` through a temporary file and one rename.
    package static func replaceAtomically(in directoryPath: String, name: String, bytes: [UInt8])
        throws(ModelBundleError)
    {
        let parent: FileDescriptor
        switch FileDescriptor.open(directoryPath, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let descriptor): parent = descriptor
        case .failure(let error):
            throw ModelBundleError(
                .ioFailure,
                "cannot open \(directoryPath)",
                item: directoryPath,
                detail: error.message
            )
        }
        let temporary = ".\(name).tmp-\(getpid())"
        switch FileDescriptor.open(
            temporary,
            relativeTo: parent.rawValue,
            flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
            mode: 0o644
        ) {
        case .success(let file):
            var failure: SystemError?
            bytes.withUnsafeBytes { buffer in
                do { try file.writeAll(buffer) } catch { failure = error as? SystemError ?? SystemError(errno: EIO) }
            }
            if failure == nil {
                do { try file.sync() } catch { failure = error }
            }
            if let failure {
                unlinkat(parent.rawValue, temporary, 0)
                throw ModelBundleError(.ioFailure, "cannot write \(name)", item: name, detail: failure.message)
            }
        case .failure(let error):
            throw ModelBundleError(
                .ioFailure,
                "cannot create \(name) in \(directoryPath)",
                item: name,
                detail: error.message
            )
        }
        if renameat(parent.rawValue, temporary, parent.rawValue, name) != 0 {
            let error = SystemError(errno: errno)
            unlinkat(parent.rawValue, temporary, 0)
            throw ModelBundleError(.ioFailure, "cannot move \(name) into place", item: name, detail: error.message)
        }
        try? parent.sync()
    }
}

extension BundleVerification {
    /// Refuses links, devices and files the checksums do not list, naming the first.
    package func requireClean(_ bundlePath: String) throws(ModelBundleError) {
        if let entry = otherEntries.first {
            throw ModelBundleError(
                .unsafePath,
                "\(entry) is not a regular file or directory (links, FIFOs and devices are refused in bundles)",
                item: entry
            )
        }
        if let file = unlistedFiles.first {
            throw ModelBundleError(
                .unsafePath,
                "\(file) is not listed in \(ChecksumManifest.fileName); the bundle was modified after it was written",
                item: file.rawValue
            )
        }
    }
}
