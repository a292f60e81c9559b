import CArchive
import ModelBundle

/// Writes entries to a `.tar.gz` or `.zip` stream with libarchive, with every header field that
/// could vary between runs or machines fixed (`reference/security.md` §2c): mtime 0, uid/gid 0,
/// no user or group names, mode 0644/0755, pax-restricted headers, gzip without a timestamp.
///
/// Zip stores DOS times computed with `localtime`; an mtime of 0 is before 1980 in every time
/// zone, so libarchive clamps it to the DOS minimum and the bytes do not depend on `TZ`.
final class ArchiveWriter {
    private let handle: ArchiveWriteHandle
    /// What is being written, named in errors.
    let outputName: String
    /// The fixed modification time of every entry.
    static let fixedModificationTime = 0

    /// Starts an archive written to `descriptor` (which stays owned by the caller).
    ///
    /// - Parameter options: extra `archive_write_set_options` strings (tests use them to build
    ///   archives we must refuse, such as encrypted zips).
    private let format: ArchiveFormat

    init(
        descriptor: Int32,
        format: ArchiveFormat,
        outputName: String,
        options: [String] = [],
        passphrase: String? = nil,
        rawNames: Bool = false
    ) throws(ModelBundleError) {
        try requireLibarchive(item: outputName)
        guard let handle = ArchiveWriteHandle() else {
            throw ModelBundleError(
                .ioFailure,
                "libarchive could not allocate a writer for \(outputName)",
                item: outputName
            )
        }
        self.handle = handle
        self.outputName = outputName
        self.format = format
        let archive = handle.pointer
        switch format {
        case .tarGzip:
            try check(mb_archive_write_add_filter_gzip(archive), "select gzip compression")
            try check(mb_archive_write_set_format_pax_restricted(archive), "select the pax format")
            // Without this the gzip header carries time(NULL), and two packs differ.
            try check(mb_archive_write_set_options(archive, "gzip:!timestamp"), "turn off the gzip timestamp")
            // In the C locale libarchive cannot translate non-ASCII names, and a library must not
            // change the process locale; such names are stored as their UTF-8 bytes instead. This
            // adds a `hdrcharset` pax record to every entry (GNU tar notes it), so only when needed.
            if rawNames {
                try check(mb_archive_write_set_options(archive, "hdrcharset=BINARY"), "store names as bytes")
            }
            // Pad only to a whole 512-byte record, like `tar` with a blocking factor of 1.
            try check(mb_archive_write_set_bytes_per_block(archive, 512), "set the block size")
        case .zip:
            try check(mb_archive_write_set_format_zip(archive), "select the zip format")
            try check(mb_archive_write_zip_set_compression_deflate(archive), "select deflate compression")
        }
        for option in options {
            try check(mb_archive_write_set_options(archive, option), "set option \(option)")
        }
        if let passphrase {
            try check(mb_archive_write_set_passphrase(archive, passphrase), "set a passphrase")
        }
        try check(mb_archive_write_open_fd(archive, descriptor), "open \(outputName) for writing")
    }

    /// Adds a directory entry (`name` without the trailing slash).
    func addDirectory(_ name: String) throws(ModelBundleError) {
        try writeHeader(name: name, fileType: ArchiveStatus.directory, permissions: 0o755, size: 0)
    }

    /// Adds a regular file of exactly `size` bytes whose content `produce` supplies in chunks
    /// through the function it receives.
    func addFile(
        _ name: String,
        size: Int64,
        produce: ((UnsafeRawBufferPointer) throws(ModelBundleError) -> Void) throws(ModelBundleError) -> Void
    ) throws(ModelBundleError) {
        try writeHeader(name: name, fileType: ArchiveStatus.regularFile, permissions: 0o644, size: size)
        var written: Int64 = 0
        try produce { (chunk: UnsafeRawBufferPointer) throws(ModelBundleError) in
            try self.writeData(chunk, entry: name)
            written += Int64(chunk.count)
        }
        guard written == size else {
            throw ModelBundleError(
                .ioFailure,
                "\(name) changed size while it was being packed (\(size) bytes expected, \(written) read); pack again",
                item: name
            )
        }
    }

    /// Adds an entry with arbitrary header fields. Only tests use this, to build hostile archives.
    func addRawEntry(
        nameBytes: [UInt8],
        fileType: UInt32,
        size: Int64,
        symlink: String? = nil,
        hardlink: String? = nil,
        sparseRegions: [(offset: Int64, length: Int64)] = [],
        data: [UInt8] = []
    ) throws(ModelBundleError) {
        guard let entry = ArchiveEntryHandle() else {
            throw ModelBundleError(.ioFailure, "libarchive could not allocate an entry", item: outputName)
        }
        // Keep the entry alive through the last C call that reads `entry.pointer`.
        defer { withExtendedLifetime(entry) {} }
        let name = String(decoding: nameBytes, as: UTF8.self)
        var terminated = nameBytes.map { CChar(bitPattern: $0) }
        terminated.append(0)
        mb_archive_entry_copy_pathname(entry.pointer, terminated)
        mb_archive_entry_set_filetype(entry.pointer, fileType)
        mb_archive_entry_set_perm(entry.pointer, 0o644)
        mb_archive_entry_set_size(entry.pointer, size)
        if let symlink { mb_archive_entry_copy_symlink(entry.pointer, symlink) }
        if let hardlink { mb_archive_entry_copy_hardlink(entry.pointer, hardlink) }
        for region in sparseRegions {
            mb_archive_entry_sparse_add_entry(entry.pointer, region.offset, region.length)
        }
        try check(mb_archive_write_header(handle.pointer, entry.pointer), "write the header of \(name)", item: name)
        if !data.isEmpty {
            var failure: ModelBundleError?
            data.withUnsafeBytes { buffer in
                do throws(ModelBundleError) { try writeData(buffer, entry: name) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Writes the archive's trailer and flushes it to the descriptor.
    func finish() throws(ModelBundleError) {
        try check(mb_archive_write_close(handle.pointer), "finish \(outputName)")
    }

    // MARK: - Internals

    func writeData(_ chunk: UnsafeRawBufferPointer, entry name: String) throws(ModelBundleError) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var offset = 0
        while offset < chunk.count {
            let written = mb_archive_write_data(handle.pointer, base + offset, chunk.count - offset)
            if written <= 0 {
                throw ModelBundleError(
                    .ioFailure,
                    "cannot write \(name) into \(outputName)",
                    item: name,
                    detail: archiveMessage(handle.pointer)
                )
            }
            offset += written
        }
    }

    private func writeHeader(name: String, fileType: UInt32, permissions: UInt32, size: Int64) throws(ModelBundleError)
    {
        guard let entry = ArchiveEntryHandle() else {
            throw ModelBundleError(.ioFailure, "libarchive could not allocate an entry", item: name)
        }
        defer { withExtendedLifetime(entry) {} }
        let stored = fileType == ArchiveStatus.directory ? name + "/" : name
        // Zip records UTF-8 names with its language-encoding flag; tar takes the raw bytes (see init).
        if format == .tarGzip || mb_archive_entry_update_pathname_utf8(entry.pointer, stored) == 0 {
            mb_archive_entry_copy_pathname(entry.pointer, stored)
        }
        mb_archive_entry_set_filetype(entry.pointer, fileType)
        mb_archive_entry_set_perm(entry.pointer, permissions)
        mb_archive_entry_set_size(entry.pointer, size)
        mb_archive_entry_set_mtime(entry.pointer, Self.fixedModificationTime, 0)
        mb_archive_entry_set_uid(entry.pointer, 0)
        mb_archive_entry_set_gid(entry.pointer, 0)
        try check(mb_archive_write_header(handle.pointer, entry.pointer), "write the header of \(name)", item: name)
    }

    /// Turns anything but `ARCHIVE_OK` into an error carrying libarchive's message; warnings count
    /// as failures because a warning on write means the output is not what was asked for.
    private func check(_ status: Int32, _ action: String, item: String? = nil) throws(ModelBundleError) {
        guard status != ArchiveStatus.ok else { return }
        throw ModelBundleError(
            .ioFailure,
            "libarchive could not \(action) in \(outputName)",
            item: item ?? outputName,
            detail: archiveMessage(handle.pointer)
        )
    }
}
