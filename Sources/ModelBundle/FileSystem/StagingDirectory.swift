internal import CSystemSupport
import SystemPlatform

/// A private directory beside a destination where a bundle is assembled, then published with one
/// rename that refuses to replace anything (`reference/security.md` §0.5).
///
/// The directory is created `0700` by `mkdtemp` next to the target, so the final rename stays on
/// one filesystem. Files are created with `O_EXCL | O_NOFOLLOW` and synced; ``publish()`` syncs the
/// directories, renames with `RENAME_NOREPLACE` and syncs the parent. If the value is dropped
/// without being published, the staging directory and everything in it are removed.
package final class StagingDirectory {
    /// Where the bundle will appear.
    public private(set) var targetPath: String
    /// The staging directory's path.
    public let path: String
    private let parentPath: String
    private var targetName: String
    private var isPublished = false
    private var directories: Set<String> = [""]

    /// Checks the destination and creates a staging directory beside it.
    ///
    /// - Throws: ``ModelBundleError/Code/targetExists`` when `target` exists and is not an empty
    ///   directory (it is left untouched), ``ModelBundleError/Code/ioFailure`` when the parent is
    ///   missing or not writable.
    public init(besideTarget target: String) throws(ModelBundleError) {
        var trimmed = target
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard !trimmed.isEmpty, trimmed != "/", trimmed != ".", trimmed != ".." else {
            throw ModelBundleError(
                .targetExists,
                "\(target) cannot be a bundle destination; name a new directory",
                item: target
            )
        }
        let (parent, name) = StagingDirectory.split(trimmed)
        try StagingDirectory.checkTarget(trimmed)
        var template = Array("\(parent)/.\(name).staging-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            let error = SystemError(errno: errno)
            throw ModelBundleError(
                .ioFailure,
                "cannot create a staging directory in \(parent); check that it exists and is writable",
                item: parent,
                detail: error.message
            )
        }
        self.targetPath = trimmed
        self.parentPath = parent
        self.targetName = name
        self.path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        if !isPublished {
            StagingDirectory.removeTree(path)
        }
    }

    /// Writes a new file at `relativePath`, creating parent directories, and syncs it.
    public func write(_ relativePath: BundlePath, bytes: some Collection<UInt8>) throws(ModelBundleError) {
        let contiguous = Array(bytes)
        try write(relativePath) { (file: borrowing FileDescriptor) throws(SystemError) in
            var failure: SystemError?
            contiguous.withUnsafeBytes { buffer in
                do { try file.writeAll(buffer) } catch { failure = error as? SystemError ?? SystemError(errno: EIO) }
            }
            if let failure { throw failure }
        }
    }

    /// Writes a new file whose content is produced in pieces by `produce`, which receives a
    /// function to append bytes. Used for weights too large to hold twice.
    public func write(
        _ relativePath: BundlePath,
        producing produce: ((UnsafeRawBufferPointer) throws(ModelBundleError) -> Void) throws(ModelBundleError) -> Void
    ) throws(ModelBundleError) {
        var failure: ModelBundleError?
        try write(relativePath) { (file: borrowing FileDescriptor) throws(SystemError) in
            do {
                try produce { (chunk) throws(ModelBundleError) in
                    do {
                        try file.writeAll(chunk)
                    } catch {
                        let systemError = error as? SystemError
                        throw ModelBundleError(
                            .ioFailure,
                            "cannot write \(relativePath)",
                            item: relativePath.rawValue,
                            detail: systemError?.message
                        )
                    }
                }
            } catch {
                failure =
                    error as? ModelBundleError
                    ?? ModelBundleError(.ioFailure, "cannot write \(relativePath)", item: relativePath.rawValue)
            }
        }
        if let failure { throw failure }
    }

    /// Creates an empty directory (and its parents).
    public func createDirectory(_ relativePath: BundlePath) throws(ModelBundleError) {
        _ = try ensureDirectory(relativePath.rawValue)
    }

    /// Names the destination once the content is known (a content-addressed store): a new name in
    /// the same parent directory, checked as ``init(besideTarget:)`` checks its target.
    public func retarget(name: String) throws(ModelBundleError) {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw ModelBundleError(.unsafePath, "\(name) is not a plain directory name", item: name)
        }
        let target = parentPath == "/" ? "/" + name : parentPath + "/" + name
        try StagingDirectory.checkTarget(target)
        targetPath = target
        targetName = name
    }

    /// Syncs everything, renames the staging directory to the target without replacing anything,
    /// and syncs the parent directory.
    ///
    /// - Throws: ``ModelBundleError/Code/targetExists`` if something appeared at the target in the
    ///   meantime; the staging directory is then removed and the target left untouched.
    public func publish() throws(ModelBundleError) {
        for directory in directories.sorted(by: { $0.count > $1.count }) {
            let full = directory.isEmpty ? path : path + "/" + directory
            if case .success(let descriptor) = FileDescriptor.open(full, flags: O_RDONLY | O_DIRECTORY) {
                try? descriptor.sync()
            }
        }
        chmod(path, 0o755)
        // An existing empty directory may be replaced (MLflow refuses only non-empty targets).
        try StagingDirectory.checkTarget(targetPath)
        if isEmptyDirectory(targetPath) {
            rmdir(targetPath)
        }
        let parentDescriptor: FileDescriptor
        switch FileDescriptor.open(parentPath, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let descriptor): parentDescriptor = descriptor
        case .failure(let error):
            throw ModelBundleError(.ioFailure, "cannot open \(parentPath)", item: parentPath, detail: error.message)
        }
        let stagingName = String(path.split(separator: "/").last ?? "")
        if mb_rename_noreplace(parentDescriptor.rawValue, stagingName, parentDescriptor.rawValue, targetName) != 0 {
            let error = SystemError(errno: errno)
            if error.errno == EEXIST || error.errno == ENOTEMPTY {
                throw ModelBundleError(
                    .targetExists,
                    "\(targetPath) appeared while the bundle was being written; it was left untouched",
                    item: targetPath
                )
            }
            throw ModelBundleError(
                .ioFailure,
                "cannot move the bundle into \(targetPath)",
                item: targetPath,
                detail: error.message
            )
        }
        isPublished = true
        try? parentDescriptor.sync()
        StaleSiblings.remove(of: targetPath)
    }

    // MARK: - Internals

    private func write(
        _ relativePath: BundlePath,
        body: (borrowing FileDescriptor) throws(SystemError) -> Void
    ) throws(ModelBundleError) {
        let parts = relativePath.components
        let parent = parts.dropLast().joined(separator: "/")
        let directory = try ensureDirectory(parent)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
        switch FileDescriptor.open(
            String(parts[parts.count - 1]),
            relativeTo: directory.rawValue,
            flags: flags,
            mode: 0o644
        ) {
        case .success(let file):
            do {
                try body(file)
                try file.sync()
            } catch {
                throw ModelBundleError(
                    .ioFailure,
                    "cannot write \(relativePath)",
                    item: relativePath.rawValue,
                    detail: error.message
                )
            }
        case .failure(let error):
            if error.errno == EEXIST {
                throw ModelBundleError(.ioFailure, "\(relativePath) was written twice", item: relativePath.rawValue)
            }
            throw ModelBundleError(
                .ioFailure,
                "cannot create \(relativePath)",
                item: relativePath.rawValue,
                detail: error.message
            )
        }
    }

    private func ensureDirectory(_ relative: String) throws(ModelBundleError) -> FileDescriptor {
        var current: FileDescriptor
        switch FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let descriptor): current = descriptor
        case .failure(let error):
            throw ModelBundleError(
                .ioFailure,
                "staging directory \(path) disappeared",
                item: path,
                detail: error.message
            )
        }
        var sofar = ""
        for part in relative.split(separator: "/") {
            let name = String(part)
            sofar = sofar.isEmpty ? name : sofar + "/" + name
            if mkdirat(current.rawValue, name, 0o755) != 0 && errno != EEXIST {
                let error = SystemError(errno: errno)
                throw ModelBundleError(
                    .ioFailure,
                    "cannot create directory \(sofar)",
                    item: sofar,
                    detail: error.message
                )
            }
            directories.insert(sofar)
            switch FileDescriptor.open(name, relativeTo: current.rawValue, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW) {
            case .success(let descriptor): current = descriptor
            case .failure(let error):
                throw ModelBundleError(.ioFailure, "cannot open directory \(sofar)", item: sofar, detail: error.message)
            }
        }
        return current
    }

    private func isEmptyDirectory(_ directoryPath: String) -> Bool {
        DirectoryListing.names(ofDirectoryAt: directoryPath)?.isEmpty == true
    }

    static func split(_ target: String) -> (parent: String, name: String) {
        guard let slash = target.lastIndex(of: "/") else { return (".", target) }
        let parent = String(target[..<slash])
        return (parent.isEmpty ? "/" : parent, String(target[target.index(after: slash)...]))
    }

    /// Refuses a target that exists as anything but an empty directory.
    static func checkTarget(_ target: String) throws(ModelBundleError) {
        var info = stat()
        guard lstat(target, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR, DirectoryListing.names(ofDirectoryAt: target)?.isEmpty == true {
            return
        }
        throw ModelBundleError(
            .targetExists,
            "\(target) already exists and is not an empty directory; it was left untouched (choose a new path)",
            item: target
        )
    }

    /// Removes a directory tree without following links.
    package static func removeTree(_ root: String) {
        guard case .success(let descriptor) = FileDescriptor.open(root, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        else {
            unlink(root)
            return
        }
        removeContents(of: descriptor.rawValue)
        rmdir(root)
    }

    private static func removeContents(of directory: Int32) {
        guard let names = DirectoryListing.names(ofDirectory: directory) else { return }
        for name in names {
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                if case .success(let child) = FileDescriptor.open(
                    name,
                    relativeTo: directory,
                    flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                ) {
                    removeContents(of: child.rawValue)
                }
                unlinkat(directory, name, AT_REMOVEDIR)
            } else {
                unlinkat(directory, name, 0)
            }
        }
    }
}
