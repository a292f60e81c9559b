import CArchive
import ModelBundle

/// One pass over an archive's entries: validation, limits and (unless it is the checking pass)
/// writing into a staging directory.
struct ArchiveReadSession {
    let limits: ArchiveLimits
    let archiveName: String
    private var names: ArchiveEntryNames
    private var entryCount = 0
    private var totalProduced: Int64 = 0
    private let deadline: ContinuousClock.Instant

    init(limits: ArchiveLimits, archiveName: String, deadline: ContinuousClock.Instant) {
        self.limits = limits
        self.archiveName = archiveName
        self.names = ArchiveEntryNames(limits: limits)
        self.deadline = deadline
    }

    /// Reads every entry; with `staging == nil` nothing is written (the checking pass).
    mutating func extract(from source: ArchiveSourceFile, into staging: StagingDirectory?) throws(ModelBundleError) {
        try requireLibarchive(item: archiveName)
        guard let handle = ArchiveReadHandle() else {
            throw ModelBundleError(.ioFailure, "libarchive could not allocate a reader", item: archiveName)
        }
        let archive = handle.pointer
        // Swift may release `handle` after its last use; keep the reader alive until we are done with it.
        defer { withExtendedLifetime(handle) {} }
        // Only the readers we need: no filter_all/format_all (external programs, risky formats).
        switch source.format {
        case .tarGzip:
            // ARCHIVE_WARN here would mean "using an external gzip program": refuse that too.
            try setUp(mb_archive_read_support_filter_gzip(archive), archive, "enable gzip")
            try setUp(mb_archive_read_support_format_tar(archive), archive, "enable tar")
        case .zip:
            try setUp(mb_archive_read_support_format_zip(archive), archive, "enable zip")
        }
        try setUp(mb_archive_read_open_fd(archive, source.descriptor, 64 * 1024), archive, "open the archive")

        var entry: OpaquePointer?
        while true {
            try checkDeadline(entry: nil)
            let status = mb_archive_read_next_header(archive, &entry)
            if status == ArchiveStatus.eof { break }
            guard status == ArchiveStatus.ok, let entry else {
                // A warning (e.g. a header checksum or charset problem) is treated as corruption:
                // entries after a damaged header are never "skipped and continued".
                throw ModelBundleError(
                    .archiveCorrupt,
                    "\(archiveName) is damaged or truncated after \(entryCount) entries; the archive was refused",
                    item: archiveName,
                    detail: archiveMessage(archive)
                )
            }
            entryCount += 1
            if entryCount > limits.maximumEntryCount {
                throw ModelBundleError(
                    .archiveLimitExceeded,
                    "\(archiveName) holds more than \(limits.maximumEntryCount) entries; the archive was refused",
                    item: Self.rawName(entry).map { ArchiveEntryNames.printable(String(decoding: $0, as: UTF8.self)) }
                        ?? archiveName
                )
            }
            try extractEntry(entry, archive: archive, into: staging)
        }
    }

    private mutating func extractEntry(
        _ entry: OpaquePointer,
        archive: OpaquePointer,
        into staging: StagingDirectory?
    ) throws(ModelBundleError) {
        guard let raw = Self.rawName(entry) else {
            throw ModelBundleError(
                .unsafeArchiveEntry,
                "entry \(entryCount) of \(archiveName) has no name",
                item: "entry \(entryCount)"
            )
        }
        let shown = ArchiveEntryNames.printable(String(decoding: raw, as: UTF8.self))
        // Links first: a hard link is stored with the regular-file type in tar.
        if mb_archive_entry_hardlink(entry) != nil {
            throw unsafe(shown, "is a hard link")
        }
        if mb_archive_entry_symlink(entry) != nil {
            throw unsafe(shown, "is a symbolic link")
        }
        let type = UInt32(mb_archive_entry_filetype(entry))
        let kind: ArchiveEntryNames.Kind
        switch type & ArchiveStatus.typeMask {
        case ArchiveStatus.regularFile: kind = .file
        case ArchiveStatus.directory: kind = .directory
        default: throw unsafe(shown, "is \(ArchiveStatus.describe(fileType: type))")
        }
        if mb_archive_entry_is_encrypted(entry) != 0 {
            throw ModelBundleError(
                .archiveUnsupported,
                "archive entry \"\(shown)\" is encrypted; encrypted archives are not supported",
                item: shown
            )
        }
        if mb_archive_entry_sparse_count(entry) > 0 {
            throw unsafe(shown, "is a sparse file")
        }
        guard let path = try names.admit(rawName: raw, kind: kind) else { return }
        switch kind {
        case .directory:
            try staging?.createDirectory(path)
        case .file:
            if mb_archive_entry_size_is_set(entry) != 0 {
                let declared = mb_archive_entry_size(entry)
                if declared < 0 || declared > limits.maximumFileSize {
                    throw limit(
                        shown,
                        "declares \(declared) bytes, more than the per-file limit of \(limits.maximumFileSize)"
                    )
                }
                if declared > limits.maximumTotalSize - totalProduced {
                    throw limit(
                        shown,
                        "would take the archive past its total size limit of \(limits.maximumTotalSize) bytes"
                    )
                }
            }
            try writeFile(path, entry: entry, archive: archive, shown: shown, into: staging)
        }
    }

    private mutating func writeFile(
        _ path: BundlePath,
        entry: OpaquePointer,
        archive: OpaquePointer,
        shown: String,
        into staging: StagingDirectory?
    ) throws(ModelBundleError) {
        var produced: Int64 = 0
        var total = totalProduced
        let limits = self.limits
        let archiveName = self.archiveName
        let deadline = self.deadline
        func pump(_ emit: (UnsafeRawBufferPointer) throws(ModelBundleError) -> Void) throws(ModelBundleError) {
            var buffer: UnsafeRawPointer?
            var length = 0
            var offset: la_int64_t = 0
            while true {
                let status = mb_archive_read_data_block(archive, &buffer, &length, &offset)
                if status == ArchiveStatus.eof { break }
                guard status == ArchiveStatus.ok else {
                    throw ModelBundleError(
                        .archiveCorrupt,
                        "archive entry \"\(shown)\" cannot be read: the archive is damaged, truncated or fails its CRC",
                        item: shown,
                        detail: archiveMessage(archive)
                    )
                }
                // Blocks must follow each other exactly; a gap is a sparse hole.
                guard offset == produced else {
                    throw ModelBundleError(
                        .unsafeArchiveEntry,
                        "archive entry \"\(shown)\" is a sparse file; refused",
                        item: shown
                    )
                }
                produced += Int64(length)
                total += Int64(length)
                if produced > limits.maximumFileSize {
                    throw Self.limitError(shown, "expands past the per-file limit of \(limits.maximumFileSize) bytes")
                }
                if total > limits.maximumTotalSize {
                    throw Self.limitError(
                        shown,
                        "takes \(archiveName) past its total size limit of \(limits.maximumTotalSize) bytes"
                    )
                }
                if total > limits.ratioFloor {
                    let consumed = max(mb_archive_filter_bytes(archive, -1), 1)
                    if total / consumed > limits.maximumCompressionRatio {
                        throw Self.limitError(
                            shown,
                            "expands more than \(limits.maximumCompressionRatio) times the archive bytes read so far "
                                + "(\(total) from \(consumed)); a decompression bomb is suspected"
                        )
                    }
                }
                if ContinuousClock.now > deadline {
                    throw Self.limitError(
                        shown,
                        "was still being unpacked when the time limit of \(limits.timeLimitSeconds) s ran out"
                    )
                }
                if length > 0, let buffer {
                    try emit(UnsafeRawBufferPointer(start: buffer, count: length))
                }
            }
        }
        if let staging {
            try staging.write(path) { (emit) throws(ModelBundleError) in try pump(emit) }
        } else {
            try pump { (_: UnsafeRawBufferPointer) throws(ModelBundleError) in }
        }
        totalProduced = total
        if mb_archive_entry_size_is_set(entry) != 0, mb_archive_entry_size(entry) != produced {
            throw ModelBundleError(
                .archiveCorrupt,
                "archive entry \"\(shown)\" holds \(produced) bytes but its header says \(mb_archive_entry_size(entry)); the archive is damaged",
                item: shown
            )
        }
    }

    // MARK: - Helpers

    private func setUp(_ status: Int32, _ archive: OpaquePointer, _ action: String) throws(ModelBundleError) {
        guard status != ArchiveStatus.ok else { return }
        throw ModelBundleError(
            status == ArchiveStatus.warn ? .archiveUnsupported : .archiveCorrupt,
            "libarchive could not \(action) for \(archiveName)",
            item: archiveName,
            detail: archiveMessage(archive)
        )
    }

    private func checkDeadline(entry: String?) throws(ModelBundleError) {
        if ContinuousClock.now > deadline {
            throw ModelBundleError(
                .archiveLimitExceeded,
                "unpacking \(archiveName) took longer than the limit of \(limits.timeLimitSeconds) s; the archive was refused",
                item: entry ?? archiveName
            )
        }
    }

    private func unsafe(_ shown: String, _ what: String) -> ModelBundleError {
        ModelBundleError(
            .unsafeArchiveEntry,
            "archive entry \"\(shown)\" \(what); bundles may hold only regular files and directories, so the archive was refused",
            item: shown
        )
    }

    private func limit(_ shown: String, _ what: String) -> ModelBundleError {
        Self.limitError(shown, what)
    }

    private static func limitError(_ shown: String, _ what: String) -> ModelBundleError {
        ModelBundleError(
            .archiveLimitExceeded,
            "archive entry \"\(shown)\" \(what); the archive was refused",
            item: shown
        )
    }

    /// The entry's name bytes: libarchive's UTF-8 view when it has one, else the raw header bytes.
    static func rawName(_ entry: OpaquePointer) -> [UInt8]? {
        guard let name = mb_archive_entry_pathname_utf8(entry) ?? mb_archive_entry_pathname(entry) else { return nil }
        return bytes(of: name)
    }

    private static func bytes(of name: UnsafePointer<CChar>) -> [UInt8] {
        var result: [UInt8] = []
        var pointer = name
        while pointer.pointee != 0, result.count <= 65_536 {
            result.append(UInt8(bitPattern: pointer.pointee))
            pointer += 1
        }
        return result
    }
}
