import CArchive
package import ModelBundle

/// The members of a small zip archive held in memory (a skops file is one), read through libarchive
/// into memory within ``ArchiveLimits``.
///
/// The same refusals as unpacking a bundle archive (`reference/security.md` §2b), adapted to a file
/// that never touches the disk:
/// - names pass ``ArchiveEntryNames`` (no `..`, absolute, backslash or control-character names, no
///   duplicates ignoring case and Unicode normalisation);
/// - members are regular files only: directories, links, devices and sparse files are refused, and
///   so is an encrypted member;
/// - the member count, each member's size and the total are bounded before and while bytes are
///   produced, and so is the ratio of bytes produced to the archive's size;
/// - any libarchive warning is a failure (a damaged header is never "skipped and continued");
/// - the archive's framing is checked against the central directory (``ZipCentralDirectory``):
///   libarchive reads the local headers while Python's `zipfile` (which skops uses) reads the central
///   directory, so a file whose two views disagree is refused rather than read differently by each.
///   The members are the ones the central directory lists (libarchive's seekable zip reader walks it
///   too); bytes it does not list are never read, by either.
///
/// Errors name the archive (`item` is `fileName`) or the member (`fileName:member`).
package struct ZipMembers: Sendable {
    /// One member: its validated name and its bytes.
    public struct Member: Sendable, Hashable {
        public let name: String
        public let bytes: [UInt8]
    }

    /// The members in archive order.
    public let members: [Member]

    /// Reads every member of `bytes`, a zip archive. `fileName` names it in errors.
    ///
    /// - Parameter allowsCompression: `false` refuses every member that is not stored
    ///   (`ZIP_STORED`) with `archiveUnsupported` and reads the archive through ``StoredZipMembers``
    ///   (no libarchive); `true` also accepts deflate (and nothing else).
    /// - Throws: `archiveCorrupt` for a file that is not a zip or is damaged (bad CRC, truncated,
    ///   inconsistent headers), `archiveUnsupported` for encryption or a compression method refused,
    ///   `unsafeArchiveEntry` for an unsafe, duplicate or non-regular member, `archiveLimitExceeded`
    ///   for a limit passed; each names the archive or the member.
    public init(
        bytes: [UInt8],
        fileName: String,
        limits: ArchiveLimits = .standard,
        allowsCompression: Bool = true
    ) throws(ModelBundleError) {
        if !allowsCompression {
            // Stored members need no decoder: located in place by the zip framing alone.
            let stored = try StoredZipMembers(bytes: bytes, fileName: fileName, limits: limits)
            members = stored.members.map { Member(name: $0.name, bytes: Array(bytes[$0.range])) }
            return
        }
        let directory = try ZipCentralDirectory(bytes: bytes, fileName: fileName, limits: limits)
        var reader = ZipMemberReader(
            fileName: fileName,
            limits: limits,
            archiveSize: bytes.count,
            allowsCompression: allowsCompression
        )
        // withUnsafeBytes only rethrows untyped errors; a Result keeps the type.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(ModelBundleError) -> [Member] in try reader.read(buffer, expecting: directory) }
        }
        members = try result.get()
    }

    /// The bytes of the member called `name`, when the archive holds it.
    public subscript(name: String) -> [UInt8]? {
        members.first { $0.name == name }?.bytes
    }
}

/// One pass of libarchive over an in-memory zip.
private struct ZipMemberReader {
    let fileName: String
    let limits: ArchiveLimits
    let archiveSize: Int
    let allowsCompression: Bool
    private var names: ArchiveEntryNames
    private var total: Int64 = 0

    init(fileName: String, limits: ArchiveLimits, archiveSize: Int, allowsCompression: Bool) {
        self.fileName = fileName
        self.limits = limits
        self.archiveSize = archiveSize
        self.allowsCompression = allowsCompression
        self.names = ArchiveEntryNames(limits: limits)
    }

    mutating func read(
        _ buffer: UnsafeRawBufferPointer,
        expecting directory: ZipCentralDirectory
    ) throws(ModelBundleError) -> [ZipMembers.Member] {
        try requireLibarchive(item: fileName)
        guard let handle = ArchiveReadHandle() else {
            throw ModelBundleError(.ioFailure, "libarchive could not allocate a reader", item: fileName)
        }
        // The handle frees the reader when released; keep it alive while its pointer is used.
        defer { withExtendedLifetime(handle) {} }
        let archive = handle.pointer
        // The zip reader only: no filters, no other formats.
        try setUp(mb_archive_read_support_format_zip(archive), archive, "enable zip")
        try setUp(mb_archive_read_open_memory(archive, buffer.baseAddress, buffer.count), archive, "open the archive")
        let deadline = ContinuousClock.now + .seconds(limits.timeLimitSeconds)
        var members: [ZipMembers.Member] = []
        var entry: OpaquePointer?
        while true {
            let status = mb_archive_read_next_header(archive, &entry)
            if status == ArchiveStatus.eof { break }
            guard status == ArchiveStatus.ok, let entry else {
                throw ModelBundleError(
                    .archiveCorrupt,
                    "\(fileName) is damaged or truncated after \(members.count) members; it was refused",
                    item: fileName,
                    detail: archiveMessage(archive)
                )
            }
            guard members.count < directory.entries.count else {
                throw ModelBundleError(
                    .archiveCorrupt,
                    "\(fileName) holds more members than its central directory lists; it was refused",
                    item: fileName
                )
            }
            let listed = directory.entries[members.count]
            members.append(try member(entry, archive: archive, listed: listed, deadline: deadline))
        }
        guard members.count == directory.entries.count else {
            throw ModelBundleError(
                .archiveCorrupt,
                "\(fileName) lists \(directory.entries.count) members in its central directory but holds "
                    + "\(members.count); it was refused",
                item: fileName
            )
        }
        return members
    }

    private mutating func member(
        _ entry: OpaquePointer,
        archive: OpaquePointer,
        listed: ZipCentralDirectory.Entry,
        deadline: ContinuousClock.Instant
    ) throws(ModelBundleError) -> ZipMembers.Member {
        // Named as the central directory names it: that is the name Python's zipfile (skops) uses.
        let shown = ArchiveEntryNames.printable(String(decoding: listed.name, as: UTF8.self))
        let item = "\(fileName):\(shown)"
        // The two views must agree before either is trusted. libarchive turns `\` into `/`, so a
        // backslash (a Windows path separator, refused in bundles) shows up as a disagreement.
        guard ArchiveReadSession.rawName(entry) == listed.name else {
            if listed.name.contains(UInt8(ascii: "\\")) {
                throw unsafe(item, "has a backslash in its name")
            }
            throw ModelBundleError(
                .archiveCorrupt,
                "\(item): the local header names a different member than the central directory; "
                    + "the archive was refused",
                item: item
            )
        }
        let path: BundlePath?
        do throws(ModelBundleError) {
            path = try names.admit(rawName: listed.name, kind: listed.isDirectory ? .directory : .file)
        } catch {
            throw ModelBundleError(error.code, "\(fileName): \(error.message)", item: item, detail: error.detail)
        }
        if mb_archive_entry_is_encrypted(entry) != 0 || listed.isEncrypted {
            throw ModelBundleError(
                .archiveUnsupported,
                "\(item): the member is encrypted; encrypted zip archives are not supported",
                item: item
            )
        }
        if mb_archive_entry_hardlink(entry) != nil || mb_archive_entry_symlink(entry) != nil {
            throw unsafe(item, "is a link")
        }
        // libarchive's type comes from the local header; the Unix mode only from the central directory.
        let type = listed.unixFileType != 0 ? listed.unixFileType : UInt32(mb_archive_entry_filetype(entry))
        guard type & ArchiveStatus.typeMask == ArchiveStatus.regularFile,
            UInt32(mb_archive_entry_filetype(entry)) & ArchiveStatus.typeMask == ArchiveStatus.regularFile,
            !listed.isDirectory
        else {
            let what = listed.isDirectory ? "a directory" : ArchiveStatus.describe(fileType: type)
            throw unsafe(item, "is \(what)")
        }
        if mb_archive_entry_sparse_count(entry) > 0 {
            throw unsafe(item, "is a sparse file")
        }
        guard listed.method == 0 || (allowsCompression && listed.method == 8) else {
            throw ModelBundleError(
                .archiveUnsupported,
                "\(item): compression method \(listed.method) is not supported; "
                    + (allowsCompression
                        ? "members must be stored or deflated" : "members must be stored (ZIP_STORED)"),
                item: item
            )
        }
        guard let name = path?.rawValue else { throw unsafe(item, "has no name") }
        if mb_archive_entry_size_is_set(entry) != 0 {
            let declared = mb_archive_entry_size(entry)
            guard declared >= 0, declared <= limits.maximumFileSize, declared <= limits.maximumTotalSize - total else {
                throw limit(item, "declares \(declared) bytes, more than the limits allow")
            }
        }
        var bytes: [UInt8] = []
        var block: UnsafeRawPointer?
        var length = 0
        var offset: la_int64_t = 0
        while true {
            let status = mb_archive_read_data_block(archive, &block, &length, &offset)
            if status == ArchiveStatus.eof { break }
            guard status == ArchiveStatus.ok else {
                throw ModelBundleError(
                    .archiveCorrupt,
                    "\(item): the member cannot be read: the archive is damaged, truncated or fails its CRC",
                    item: item,
                    detail: archiveMessage(archive)
                )
            }
            guard offset == bytes.count else { throw unsafe(item, "is a sparse file") }
            // Every bound is checked before the block is copied.
            guard Int64(bytes.count) + Int64(length) <= limits.maximumFileSize else {
                throw limit(item, "expands past the per-member limit of \(limits.maximumFileSize) bytes")
            }
            total += Int64(length)
            guard total <= limits.maximumTotalSize else {
                throw limit(item, "takes \(fileName) past its total size limit of \(limits.maximumTotalSize) bytes")
            }
            if total > limits.ratioFloor, total / Int64(max(archiveSize, 1)) > limits.maximumCompressionRatio {
                throw limit(
                    item,
                    "expands more than \(limits.maximumCompressionRatio) times the \(archiveSize) bytes of "
                        + "\(fileName); a decompression bomb is suspected"
                )
            }
            if ContinuousClock.now > deadline {
                throw limit(item, "was still being read when the time limit of \(limits.timeLimitSeconds) s ran out")
            }
            if length > 0, let block {
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: block, count: length))
            }
        }
        guard bytes.count == listed.size else {
            throw ModelBundleError(
                .archiveCorrupt,
                "\(item): the member holds \(bytes.count) bytes but the central directory says \(listed.size)",
                item: item
            )
        }
        return ZipMembers.Member(name: name, bytes: bytes)
    }

    private func setUp(_ status: Int32, _ archive: OpaquePointer, _ action: String) throws(ModelBundleError) {
        guard status != ArchiveStatus.ok else { return }
        throw ModelBundleError(
            .archiveCorrupt,
            "libarchive could not \(action) for \(fileName); it is not a readable zip archive",
            item: fileName,
            detail: archiveMessage(archive)
        )
    }

    private func unsafe(_ item: String, _ what: String) -> ModelBundleError {
        ModelBundleError(
            .unsafeArchiveEntry,
            "\(item): the member \(what); only regular files are read from \(fileName)",
            item: item
        )
    }

    private func limit(_ item: String, _ what: String) -> ModelBundleError {
        ModelBundleError(.archiveLimitExceeded, "\(item): the member \(what); it was refused", item: item)
    }
}
