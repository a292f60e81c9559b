/// Opens a bundle directory and validates it: the `MLmodel` parses within its limits, every
/// path a flavor or the example info names is safe and exists inside the bundle, and when
/// `checksums.sha256` exists every file it lists matches.
public struct BundleReader: Sendable {
    /// The bundle's root directory.
    public var directory: BundleDirectory

    public init(path: String) {
        self.directory = BundleDirectory(path: path)
    }

    /// Reads and validates the bundle.
    ///
    /// - Throws: ``ModelBundleError`` naming the file or field at fault.
    public func read() throws(ModelBundleError) -> OpenedBundle {
        guard directory.isDirectory else {
            throw ModelBundleError(
                .fileMissing,
                "\(directory.path) is not a bundle directory (nor a .tar.gz/.zip of one)",
                item: directory.path
            )
        }
        let manifestPath = try BundlePath(ModelManifest.fileName)
        let bytes: [UInt8]
        do {
            bytes = try directory.read(manifestPath, limit: ModelManifest.maximumSize)
        } catch  where error.code == .fileMissing {
            throw ModelBundleError(
                .fileMissing,
                "\(directory.path) has no MLmodel file; a bundle is a directory with an MLmodel at its root",
                item: ModelManifest.fileName
            )
        }
        let manifest = try ModelManifest(parsing: bytes)
        // MLflow's Model.load parses the signature and example info; a bundle whose signature
        // does not parse is as unloadable there as here.
        _ = try manifest.signature()
        _ = try manifest.savedInputExampleInfo()
        for reference in manifest.referencedPaths {
            try check(reference)
        }
        let checksums = try verifyChecksums()
        return OpenedBundle(directory: directory, manifest: manifest, checksums: checksums)
    }

    private func check(_ reference: ReferencedPath) throws(ModelBundleError) {
        let path = try BundlePath(reference.path, field: reference.field)
        switch reference.kind {
        case .file:
            _ = try directory.size(of: path, field: reference.field)
        case .directory:
            _ = try directory.openDirectory(path, field: reference.field)
        case .fileOrDirectory:
            if directory.containsDirectory(path) { return }
            _ = try directory.size(of: path, field: reference.field)
        }
    }

    private func verifyChecksums() throws(ModelBundleError) -> ChecksumState {
        let path = try BundlePath(ChecksumManifest.fileName)
        let bytes: [UInt8]
        do {
            bytes = try directory.read(path, limit: ChecksumManifest.maximumSize)
        } catch  where error.code == .fileMissing {
            return .absent
        }
        let checksums = try ChecksumManifest(parsing: bytes)
        if let mismatch = try checksums.mismatches(in: directory).first {
            throw ModelBundleError(
                .checksumMismatch,
                "\(mismatch) does not match its SHA-256 in \(ChecksumManifest.fileName); the bundle was modified or damaged",
                item: mismatch.rawValue
            )
        }
        return .verified(fileCount: checksums.entries.count)
    }
}

/// A bundle that passed ``BundleReader`` validation.
public struct OpenedBundle: Sendable {
    /// The bundle's files.
    public let directory: BundleDirectory
    /// The parsed `MLmodel`.
    public let manifest: ModelManifest
    /// What the checksum check found.
    public let checksums: ChecksumState
}

/// The outcome of checking `checksums.sha256`.
public enum ChecksumState: Sendable, Equatable {
    /// The bundle has no `checksums.sha256` (bundles written by MLflow itself).
    case absent
    /// Every listed file matched.
    case verified(fileCount: Int)
}
