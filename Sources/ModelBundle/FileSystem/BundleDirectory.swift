public import Crypto
import SystemPlatform

/// Read access to the files of one bundle directory that never leaves it.
///
/// Every file is opened component by component with `openat(…, O_NOFOLLOW)` starting from the
/// bundle root, and must be a regular file (`fstat`), so a symbolic link, a FIFO or a device
/// planted in a bundle is refused instead of followed or read.
public struct BundleDirectory: Sendable {
    /// The bundle root as given by the caller (the root itself may be reached through a link).
    public let path: String

    /// Refers to the bundle at `path`; nothing is opened yet.
    public init(path: String) {
        self.path = path
    }

    /// Whether the root is a directory.
    public var isDirectory: Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Reads a whole file, refusing files larger than `limit` bytes.
    ///
    /// - Parameters:
    ///   - relativePath: the validated path of the file inside the bundle.
    ///   - limit: the largest size accepted, in bytes.
    ///   - field: where the path came from, named in errors.
    public func read(_ relativePath: BundlePath, limit: Int, field: String? = nil) throws(ModelBundleError) -> [UInt8] {
        let file = try open(relativePath, field: field)
        let size = try regularFileSize(file, relativePath, field: field)
        if size > limit {
            throw Self.tooLarge(relativePath, size: size, limit: limit)
        }
        do {
            return try file.readAll(limit: limit, sizeHint: size)
        } catch {
            throw ioError("read", relativePath, error)
        }
    }

    static func tooLarge(_ relativePath: BundlePath, size: Int, limit: Int) -> ModelBundleError {
        ModelBundleError(
            .manifestTooLarge,
            "\(relativePath) is \(size) bytes, more than the \(limit) bytes this reader accepts",
            item: relativePath.rawValue
        )
    }

    /// The size of a regular file, or an error naming it when it is missing, unsafe or not a file.
    public func size(of relativePath: BundlePath, field: String? = nil) throws(ModelBundleError) -> Int {
        let file = try open(relativePath, field: field)
        return try regularFileSize(file, relativePath, field: field)
    }

    /// Whether a regular file exists at `relativePath` (links and other kinds count as absent).
    public func containsFile(_ relativePath: BundlePath) -> Bool {
        (try? size(of: relativePath)) != nil
    }

    /// Whether a real directory (not a link) exists at `relativePath`.
    public func containsDirectory(_ relativePath: BundlePath) -> Bool {
        (try? openDirectory(relativePath, field: nil)) != nil
    }

    /// The SHA-256 digest of a file, streamed in chunks.
    public func sha256(of relativePath: BundlePath, field: String? = nil) throws(ModelBundleError) -> SHA256.Digest {
        let file = try open(relativePath, field: field)
        let size = try regularFileSize(file, relativePath, field: field)
        var hasher = SHA256()
        do {
            try file.forEachChunk(expectedSize: size) { hasher.update(bufferPointer: $0) }
        } catch {
            throw ioError("read", relativePath, error)
        }
        return hasher.finalize()
    }

    /// A whole file when it is at most `limit` bytes, else `nil` (a caller that then streams it).
    package func readIfAtMost(_ relativePath: BundlePath, limit: Int, field: String? = nil) throws(ModelBundleError)
        -> [UInt8]?
    {
        let file = try open(relativePath, field: field)
        let size = try regularFileSize(file, relativePath, field: field)
        guard size <= limit else { return nil }
        do {
            // A file growing past the limit while it is read fails (EFBIG), as any change would.
            return try file.readAll(limit: limit, sizeHint: size)
        } catch {
            throw ioError("read", relativePath, error)
        }
    }

    /// Every regular file below the root, sorted byte-wise, with directories walked without
    /// following links. Entries that are neither files nor directories are returned in `others`.
    public func listFiles() throws(ModelBundleError) -> (files: [BundlePath], others: [String]) {
        var files: [BundlePath] = []
        var others: [String] = []
        let root: FileDescriptor
        switch FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let descriptor): root = descriptor
        case .failure(let error): throw rootError(error)
        }
        try walk(root.rawValue, prefix: "", depth: 0, files: &files, others: &others)
        files.sort()
        others.sort()
        return (files, others)
    }

    // MARK: - Opening

    func open(_ relativePath: BundlePath, field: String?) throws(ModelBundleError) -> FileDescriptor {
        let parts = relativePath.components
        let parent = try openParent(of: parts, relativePath, field: field)
        let name = String(parts[parts.count - 1])
        // O_NONBLOCK so that opening a FIFO planted in a bundle cannot block.
        switch FileDescriptor.open(name, relativeTo: parent.rawValue, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK) {
        case .success(let descriptor):
            return descriptor
        case .failure(let error):
            throw openError(error, relativePath, field: field)
        }
    }

    func openDirectory(_ relativePath: BundlePath, field: String?) throws(ModelBundleError) -> FileDescriptor {
        let parts = relativePath.components
        let parent = try openParent(of: parts, relativePath, field: field)
        let name = String(parts[parts.count - 1])
        switch FileDescriptor.open(name, relativeTo: parent.rawValue, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW) {
        case .success(let descriptor): return descriptor
        case .failure(let error): throw openError(error, relativePath, field: field)
        }
    }

    private func openParent(
        of parts: [Substring],
        _ relativePath: BundlePath,
        field: String?
    ) throws(ModelBundleError) -> FileDescriptor {
        var current: FileDescriptor
        switch FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let descriptor): current = descriptor
        case .failure(let error): throw rootError(error)
        }
        for part in parts.dropLast() {
            switch FileDescriptor.open(
                String(part),
                relativeTo: current.rawValue,
                flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW
            ) {
            case .success(let descriptor): current = descriptor
            case .failure(let error): throw openError(error, relativePath, field: field)
            }
        }
        return current
    }

    private func regularFileSize(
        _ file: borrowing FileDescriptor,
        _ relativePath: BundlePath,
        field: String?
    ) throws(ModelBundleError) -> Int {
        let info: stat
        do {
            info = try file.status()
        } catch {
            throw ioError("inspect", relativePath, error)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ModelBundleError(
                .unsafePath,
                "\(describe(relativePath, field)) is not a regular file; bundles may hold only regular files and directories",
                item: field ?? relativePath.rawValue
            )
        }
        return Int(info.st_size)
    }

    private func walk(
        _ directory: Int32,
        prefix: String,
        depth: Int,
        files: inout [BundlePath],
        others: inout [String]
    ) throws(ModelBundleError) {
        guard depth < BundlePath.maximumDepth else {
            throw ModelBundleError(.unsafePath, "directory \(prefix) is nested too deeply", item: prefix)
        }
        guard let names = DirectoryListing.names(ofDirectory: directory) else {
            throw ModelBundleError(.ioFailure, "cannot list \(prefix.isEmpty ? path : prefix)", item: prefix)
        }
        for name in names {
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                others.append(relative)
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                if let valid = try? BundlePath(relative) {
                    files.append(valid)
                } else {
                    others.append(relative)
                }
            case S_IFDIR:
                switch FileDescriptor.open(name, relativeTo: directory, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW) {
                case .success(let child):
                    try walk(child.rawValue, prefix: relative, depth: depth + 1, files: &files, others: &others)
                case .failure:
                    others.append(relative)
                }
            default:
                others.append(relative)
            }
        }
    }

    // MARK: - Errors

    private func describe(_ relativePath: BundlePath, _ field: String?) -> String {
        field.map { "\($0) (\(relativePath))" } ?? relativePath.rawValue
    }

    private func rootError(_ error: SystemError) -> ModelBundleError {
        if error.errno == ENOENT {
            return ModelBundleError(.fileMissing, "no bundle at \(path): the directory does not exist", item: path)
        }
        if error.errno == ENOTDIR {
            return ModelBundleError(.fileMissing, "\(path) is not a bundle directory", item: path)
        }
        return ModelBundleError(.ioFailure, "cannot open bundle directory \(path)", item: path, detail: error.message)
    }

    private func openError(_ error: SystemError, _ relativePath: BundlePath, field: String?) -> ModelBundleError {
        let subject = describe(relativePath, field)
        switch error.errno {
        case ENOENT:
            return ModelBundleError(
                .fileMissing,
                "\(subject) does not exist in the bundle",
                item: field ?? relativePath.rawValue
            )
        case ELOOP, ENOTDIR:
            return ModelBundleError(
                .unsafePath,
                "\(subject) goes through a symbolic link or a non-directory; links are refused in bundles",
                item: field ?? relativePath.rawValue
            )
        default:
            return ModelBundleError(
                .ioFailure,
                "cannot open \(subject)",
                item: field ?? relativePath.rawValue,
                detail: error.message
            )
        }
    }

    private func ioError(_ verb: String, _ relativePath: BundlePath, _ error: SystemError) -> ModelBundleError {
        if error.errno == EFBIG {
            return ModelBundleError(
                .manifestTooLarge,
                "\(relativePath) grew past its size limit while being read",
                item: relativePath.rawValue
            )
        }
        return ModelBundleError(
            .ioFailure,
            "cannot \(verb) \(relativePath)",
            item: relativePath.rawValue,
            detail: error.message
        )
    }
}
