public import ModelBundle
import SystemPlatform

/// Packs a bundle directory into one `.tar.gz` or `.zip` file, byte-for-byte reproducibly.
///
/// Entries are written in byte-wise path order, each directory explicitly before its children,
/// with fixed times, owners and modes (see ``ArchiveFormat``), so the same bundle gives the same
/// bytes on every run, machine and time zone (for one libarchive/zlib version). A symbolic link,
/// FIFO, device or socket inside the bundle is refused rather than followed or skipped.
///
/// The archive is written to a private temporary file beside the output, synced, then linked into
/// place with `link(2)`, which refuses to replace an existing file, so the output is all or nothing.
public struct BundleArchiver: Sendable {
    public init() {}

    /// Packs the bundle at `bundlePath` into `outputPath`.
    ///
    /// - Parameter format: what to write; by default chosen from `outputPath`'s extension
    ///   (`.tar.gz`, `.tgz`, `.zip`).
    /// - Throws: ``ModelBundleError`` — `unsafeArchiveEntry` naming a link/FIFO/device found in the
    ///   bundle, `targetExists` when `outputPath` exists (it is left untouched), `archiveUnsupported`
    ///   for an unknown extension, `ioFailure` for read/write failures.
    public func pack(bundleAt bundlePath: String, to outputPath: String, format: ArchiveFormat? = nil)
        throws(ModelBundleError)
    {
        guard let format = format ?? ArchiveFormat(fileName: outputPath) else {
            throw ModelBundleError(
                .archiveUnsupported,
                "\(outputPath) does not end in .tar.gz, .tgz or .zip; name the archive with one of these extensions",
                item: outputPath
            )
        }
        let bundle = BundleDirectory(path: bundlePath)
        guard bundle.isDirectory else {
            throw ModelBundleError(.fileMissing, "\(bundlePath) is not a bundle directory", item: bundlePath)
        }
        let listing = try bundle.listFiles()
        if let other = listing.others.first {
            throw ModelBundleError(
                .unsafeArchiveEntry,
                "\(other) in \(bundlePath) is a link, FIFO, device or socket (or has an unsafe name); "
                    + "bundles may hold only regular files and directories — remove it and pack again",
                item: other
            )
        }
        var existing = stat()
        if lstat(outputPath, &existing) == 0 {
            throw ModelBundleError(
                .targetExists,
                "\(outputPath) already exists; it was left untouched (choose a new name or remove it)",
                item: outputPath
            )
        }

        let (parent, name) = ArchivePOSIX.split(outputPath)
        var template = Array("\(parent)/.\(name).tmp-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw ModelBundleError(
                .ioFailure,
                "cannot create a temporary file in \(parent); check that it exists and is writable",
                item: parent,
                detail: ArchivePOSIX.message(errno)
            )
        }
        let temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer {
            close(descriptor)
            unlink(temporaryPath)
        }
        fchmod(descriptor, 0o644)

        // The writer must be freed (flushing gzip) before the file is synced and linked.
        try writeEntries(listing.files, of: bundlePath, descriptor: descriptor, format: format, outputName: outputPath)
        if fsync(descriptor) != 0 {
            throw ModelBundleError(
                .ioFailure,
                "cannot sync \(outputPath)",
                item: outputPath,
                detail: ArchivePOSIX.message(errno)
            )
        }
        if link(temporaryPath, outputPath) != 0 {
            let code = errno
            if code == EEXIST {
                throw ModelBundleError(
                    .targetExists,
                    "\(outputPath) appeared while the archive was being written; it was left untouched",
                    item: outputPath
                )
            }
            throw ModelBundleError(
                .ioFailure,
                "cannot create \(outputPath)",
                item: outputPath,
                detail: ArchivePOSIX.message(code)
            )
        }
        let parentDescriptor = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if parentDescriptor >= 0 {
            fsync(parentDescriptor)
            close(parentDescriptor)
        }
        StaleSiblings.remove(of: outputPath)
    }

    private func writeEntries(
        _ files: [BundlePath],
        of bundlePath: String,
        descriptor: Int32,
        format: ArchiveFormat,
        outputName: String
    ) throws(ModelBundleError) {
        let hasNonASCIIName = files.contains { !$0.rawValue.utf8.allSatisfy { $0 < 0x80 } }
        let writer = try ArchiveWriter(
            descriptor: descriptor,
            format: format,
            outputName: outputName,
            rawNames: hasNonASCIIName
        )
        var writtenDirectories = Set<String>()
        for file in files {
            let parts = file.components
            var prefix = ""
            for part in parts.dropLast() {
                prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
                if writtenDirectories.insert(prefix).inserted {
                    try writer.addDirectory(prefix)
                }
            }
            try addFile(file, of: bundlePath, to: writer)
        }
        try writer.finish()
    }

    private func addFile(_ file: BundlePath, of bundlePath: String, to writer: ArchiveWriter) throws(ModelBundleError) {
        let descriptor: Int32
        switch ArchivePOSIX.openBeneath(root: bundlePath, components: file.components) {
        case .success(let opened): descriptor = opened
        case .failure(let failure):
            let code = failure.code
            throw ModelBundleError(
                code == ELOOP ? .unsafeArchiveEntry : .ioFailure,
                code == ELOOP
                    ? "\(file) became a link while packing; pack again" : "cannot open \(file) in \(bundlePath)",
                item: file.rawValue,
                detail: ArchivePOSIX.message(code)
            )
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ModelBundleError(
                .unsafeArchiveEntry,
                "\(file) is not a regular file; it cannot be packed",
                item: file.rawValue
            )
        }
        let size = Int64(info.st_size)
        // The file was opened O_NONBLOCK (so a FIFO swapped in cannot block); a regular file ignores it.
        try writer.addFile(file.rawValue, size: size) { (emit) throws(ModelBundleError) in
            let chunkSize = 1 << 20
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            var total: Int64 = 0
            while total < size {
                let wanted = Int(min(Int64(chunkSize), size - total))
                let count = read(descriptor, buffer.baseAddress, wanted)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ModelBundleError(
                        .ioFailure,
                        "cannot read \(file)",
                        item: file.rawValue,
                        detail: ArchivePOSIX.message(errno)
                    )
                }
                if count == 0 { break }
                try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                total += Int64(count)
            }
        }
    }
}
