import CArchive
public import ModelBundle
import SystemPlatform

/// Unpacks a `.tar.gz` or `.zip` bundle into a new directory, refusing anything unsafe.
///
/// The archive is read with libarchive's *read* API only — never `archive_write_disk`
/// (`reference/security.md` §2a) — with just the gzip filter and the tar or zip reader registered.
/// Every entry is checked before anything touches the disk: only regular files and directories,
/// a safe unique name (``ArchiveEntryNames``), and the ``ArchiveLimits`` on count, size, ratio,
/// name length and depth, and time — first in a pass that writes nothing. Files are written by `StagingDirectory` (`O_EXCL|O_NOFOLLOW`,
/// synced) into a private directory beside the target, `checksums.sha256` is verified when
/// present, and only then is the result renamed into place without replacing anything. Any
/// failure removes the staging directory and leaves the target as it was.
public struct BundleUnpacker: Sendable {
    /// The bounds applied while unpacking.
    public var limits: ArchiveLimits

    public init(limits: ArchiveLimits = .standard) {
        self.limits = limits
    }

    /// Unpacks the archive at `archivePath` into the new directory `targetPath`.
    ///
    /// - Returns: the format the archive turned out to have (decided by content).
    /// - Throws: ``ModelBundleError`` naming the entry or file at fault: `archiveUnsupported`
    ///   (not tar/gzip/zip, encrypted), `archiveCorrupt` (truncated, bad CRC, any libarchive
    ///   warning), `unsafeArchiveEntry`, `archiveLimitExceeded`, `checksumMismatch`,
    ///   `targetExists` (the target is not an empty directory; it is left untouched), `fileMissing`.
    @discardableResult
    public func unpack(archiveAt archivePath: String, to targetPath: String) throws(ModelBundleError) -> ArchiveFormat {
        let source = try ArchiveSourceFile(path: archivePath)
        defer { close(source.descriptor) }
        let staging = try StagingDirectory(besideTarget: targetPath)
        let deadline = ContinuousClock.now.advanced(by: .seconds(limits.timeLimitSeconds))
        // Two passes: the first reads and checks everything (names, types, limits, CRCs) without
        // touching the disk, so a hostile archive costs no file creation or fsync at all (10 000
        // synced files take tens of seconds on a busy disk); the second repeats every check while
        // writing, so a file changed between the passes gains nothing.
        var checking = ArchiveReadSession(limits: limits, archiveName: archivePath, deadline: deadline)
        try checking.extract(from: source, into: nil)
        guard lseek(source.descriptor, 0, SEEK_SET) == 0 else {
            throw ModelBundleError(
                .ioFailure,
                "cannot rewind \(archivePath)",
                item: archivePath,
                detail: ArchivePOSIX.message(errno)
            )
        }
        var writing = ArchiveReadSession(limits: limits, archiveName: archivePath, deadline: deadline)
        try writing.extract(from: source, into: staging)
        try Self.verifyChecksums(in: staging)
        try staging.publish()
        return source.format
    }

    /// Verifies `checksums.sha256` when the unpacked bundle has one; a mismatch names the file.
    static func verifyChecksums(in staging: StagingDirectory) throws(ModelBundleError) {
        let directory = BundleDirectory(path: staging.path)
        let manifestPath = try BundlePath(ChecksumManifest.fileName)
        guard directory.containsFile(manifestPath) else { return }
        let manifest = try ChecksumManifest(
            parsing: try directory.read(manifestPath, limit: ChecksumManifest.maximumSize)
        )
        let mismatches = try manifest.mismatches(in: directory)
        if let first = mismatches.first {
            let others = mismatches.count > 1 ? " (and \(mismatches.count - 1) other files)" : ""
            throw ModelBundleError(
                .checksumMismatch,
                "\(first) does not match its SHA-256 in \(ChecksumManifest.fileName)\(others); the archive is corrupt or was altered",
                item: first.rawValue
            )
        }
    }
}

/// An archive file opened for reading, with its format decided from its first bytes.
struct ArchiveSourceFile {
    let descriptor: Int32
    let format: ArchiveFormat

    init(path: String) throws(ModelBundleError) {
        // O_NONBLOCK: a FIFO given as the archive must not block the open.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            throw ModelBundleError(
                code == ENOENT ? .fileMissing : .ioFailure,
                "cannot open the archive \(path)",
                item: path,
                detail: ArchivePOSIX.message(code)
            )
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw ModelBundleError(
                .archiveUnsupported,
                "\(path) is not a regular file, so it cannot be an archive",
                item: path
            )
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        let header = ArchivePOSIX.readPrefix(of: descriptor, count: 32_774)
        guard let format = ArchiveFormat.detect(header: header) else {
            close(descriptor)
            let what =
                ArchiveFormat.nameOfRefusedFormat(header: header).map { "a \($0) file" } ?? "not an archive we read"
            throw ModelBundleError(
                .archiveUnsupported,
                "\(path) is \(what); only .tar.gz (or plain tar) and .zip bundles are accepted",
                item: path
            )
        }
        self.descriptor = descriptor
        self.format = format
    }
}
