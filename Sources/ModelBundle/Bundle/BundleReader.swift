import Dispatch

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
        try read(keeping: nil).bundle
    }

    /// The largest file ``readForLoading(_:)`` keeps in memory after reading it for the checksum check.
    package static let keptFileLimit = 256 << 20
    /// Kept files from this size on are hashed on another thread while the flavor parses them.
    package static let concurrentHashSize = 1 << 20

    /// Reads and validates the bundle as ``read()`` does, then runs `load` on it, keeping the contents
    /// of the files the `MLmodel` names (weights, model files; at most ``keptFileLimit`` bytes each)
    /// that the checksum check reads anyway: a flavor's ``OpenedBundle/read(_:limit:field:)`` parses
    /// exactly the bytes that are checked, without reading them again.
    ///
    /// A kept file of ``concurrentHashSize`` bytes or more is hashed on another thread while `load`
    /// parses it, so a large model loads in the longer of the two times rather than their sum. What
    /// `load` returns is returned only once every file matched; a mismatch is thrown instead, whatever
    /// `load` returned or threw. `load` may so see bytes before their check ends, which every reader of
    /// bundle files allows: they refuse hostile bytes, and bundles without `checksums.sha256` (every
    /// MLflow-written one) are read unchecked anyway. A caller that must not parse an unchecked byte
    /// (a required signature) uses ``read()``.
    package func readForLoading<Value>(
        _ load: (OpenedBundle) throws(ModelBundleError) -> Value
    ) throws(ModelBundleError) -> Value {
        let (bundle, later) = try read(keeping: Self.keptFileLimit)
        guard !later.isEmpty else { return try load(bundle) }
        let check = ConcurrentChecksumCheck()
        let group = DispatchGroup()
        let kept = bundle.keptFiles
        DispatchQueue.global().async(group: group) {
            check.mismatch = later.first { ChecksumManifest.differs($0, from: kept[$0.path] ?? []) }?.path
        }
        let loaded = Result { () throws(ModelBundleError) in try load(bundle) }
        // Joined on every path, so no check outlives this call; the group's wait orders the worker's
        // write of `mismatch` before this read.
        group.wait()
        if let mismatch = check.mismatch {
            throw Self.mismatchError(mismatch)
        }
        return try loaded.get()
    }

    /// The bundle, and the kept files whose hash is still to check (``ChecksumManifest/mismatches(in:keeping:upTo:hashingLaterFrom:)``).
    private func read(keeping keepLimit: Int?) throws(ModelBundleError) -> (
        bundle: OpenedBundle, later: [ChecksumManifest.Entry]
    ) {
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
        var referenced: Set<BundlePath> = []
        for reference in manifest.referencedPaths {
            referenced.insert(try check(reference))
        }
        let (checksums, kept, later) = try verifyChecksums(
            keeping: keepLimit == nil ? [] : referenced,
            upTo: keepLimit ?? 0
        )
        let bundle = OpenedBundle(directory: directory, manifest: manifest, checksums: checksums, keptFiles: kept)
        return (bundle, later)
    }

    /// Checks that a path the `MLmodel` names is safe and exists; returns it.
    private func check(_ reference: ReferencedPath) throws(ModelBundleError) -> BundlePath {
        let path = try BundlePath(reference.path, field: reference.field)
        switch reference.kind {
        case .file:
            _ = try directory.size(of: path, field: reference.field)
        case .directory:
            _ = try directory.openDirectory(path, field: reference.field)
        case .fileOrDirectory:
            if directory.containsDirectory(path) { return path }
            _ = try directory.size(of: path, field: reference.field)
        }
        return path
    }

    private func verifyChecksums(
        keeping keep: Set<BundlePath>,
        upTo keepLimit: Int
    ) throws(ModelBundleError) -> (ChecksumState, [BundlePath: [UInt8]], [ChecksumManifest.Entry]) {
        let path = try BundlePath(ChecksumManifest.fileName)
        let bytes: [UInt8]
        do {
            bytes = try directory.read(path, limit: ChecksumManifest.maximumSize)
        } catch  where error.code == .fileMissing {
            return (.absent, [:], [])
        }
        let checksums = try ChecksumManifest(parsing: bytes)
        let (mismatches, kept, later) = try checksums.mismatches(
            in: directory,
            keeping: keep,
            upTo: keepLimit,
            hashingLaterFrom: Self.concurrentHashSize
        )
        if let mismatch = mismatches.first {
            throw Self.mismatchError(mismatch)
        }
        return (.verified(fileCount: checksums.entries.count), kept, later)
    }

    private static func mismatchError(_ mismatch: BundlePath) -> ModelBundleError {
        ModelBundleError(
            .checksumMismatch,
            "\(mismatch) does not match its SHA-256 in \(ChecksumManifest.fileName); the bundle was modified or damaged",
            item: mismatch.rawValue
        )
    }
}

/// The outcome of hashing kept files on another thread: the first that did not match. Written once by
/// the worker before its group leaves, read after the group's wait.
private final class ConcurrentChecksumCheck: @unchecked Sendable {
    var mismatch: BundlePath?
}

/// A bundle that passed ``BundleReader`` validation.
public struct OpenedBundle: Sendable {
    /// The bundle's files.
    public let directory: BundleDirectory
    /// The parsed `MLmodel`.
    public let manifest: ModelManifest
    /// What the checksum check found.
    public let checksums: ChecksumState
    /// Files the checksum check read whole (``BundleReader/readForLoading(_:)``).
    let keptFiles: [BundlePath: [UInt8]]

    init(
        directory: BundleDirectory,
        manifest: ModelManifest,
        checksums: ChecksumState,
        keptFiles: [BundlePath: [UInt8]] = [:]
    ) {
        self.directory = directory
        self.manifest = manifest
        self.checksums = checksums
        self.keptFiles = keptFiles
    }

    /// A whole file of the bundle, refused when larger than `limit` bytes: the bytes the checksum check
    /// matched when it kept them, else read now (as ``BundleDirectory/read(_:limit:field:)``).
    package func read(_ relativePath: BundlePath, limit: Int, field: String? = nil) throws(ModelBundleError)
        -> [UInt8]
    {
        guard let kept = keptFiles[relativePath] else {
            return try directory.read(relativePath, limit: limit, field: field)
        }
        guard kept.count <= limit else {
            throw BundleDirectory.tooLarge(relativePath, size: kept.count, limit: limit)
        }
        return kept
    }
}

/// The outcome of checking `checksums.sha256`.
public enum ChecksumState: Sendable, Equatable {
    /// The bundle has no `checksums.sha256` (bundles written by MLflow itself).
    case absent
    /// Every listed file matched.
    case verified(fileCount: Int)
}
