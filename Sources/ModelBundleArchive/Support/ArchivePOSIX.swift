import SystemPlatform

/// Small POSIX helpers this module needs; `ModelBundle` keeps its own descriptor type internal.
enum ArchivePOSIX {
    /// The text of an `errno` value.
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// Opens `relativePath` (already validated) below the directory `root`, one component at a
    /// time with `O_NOFOLLOW`, so a link anywhere on the way is refused rather than followed.
    ///
    /// - Returns: a descriptor the caller must close, or the `errno` of the failing step.
    static func openBeneath(root: String, components: [Substring]) -> Result<Int32, ArchiveErrno> {
        var current = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if current < 0 { return .failure(ArchiveErrno(code: errno)) }
        for (index, part) in components.enumerated() {
            let isLast = index == components.count - 1
            let flags =
                isLast
                ? O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
                : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
            let next = openat(current, String(part), flags)
            let failure = errno
            close(current)
            if next < 0 { return .failure(ArchiveErrno(code: failure)) }
            current = next
        }
        return .success(current)
    }

    /// Reads up to `count` bytes from the start of the file at `path`.
    static func readPrefix(of descriptor: Int32, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(filled))
            }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            filled += got
        }
        return Array(bytes[0..<filled])
    }

    /// Writes all of `bytes`, retrying short writes.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard var base = bytes.baseAddress else { return nil }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            base += written
            remaining -= written
        }
        return nil
    }

    /// Splits a path into its parent directory and last component.
    static func split(_ path: String) -> (parent: String, name: String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let parent = String(trimmed[..<slash])
        return (parent.isEmpty ? "/" : parent, String(trimmed[trimmed.index(after: slash)...]))
    }

    /// Creates a fresh private (0700) directory from a `mkdtemp` template ending in `XXXXXX`.
    static func makeTemporaryDirectory(template: String) -> Result<String, ArchiveErrno> {
        var bytes = Array(template.utf8CString)
        let created = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else { return .failure(ArchiveErrno(code: errno)) }
        return .success(bytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// The directory for private temporary files: `$TMPDIR` when set, else `/tmp`.
    static var temporaryRoot: String {
        if let value = getenv("TMPDIR"), value[0] != 0 {
            let text = String(cString: value)
            return text.count > 1 && text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        return "/tmp"
    }

    /// The name in a `readdir` entry. Read in place through a pointer: loading `d_name` as a Swift
    /// value copies all 256 bytes, which overruns the buffer for an entry at the end of the
    /// kernel's listing (AddressSanitizer reports a heap-buffer-overflow).
    static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        return String(cString: UnsafeRawPointer(entry).advanced(by: offset).assumingMemoryBound(to: CChar.self))
    }

    /// Removes a directory tree without following links; errors are ignored (best-effort cleanup).
    static func removeTree(_ root: String) {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            unlink(root)
            return
        }
        removeContents(of: descriptor)
        close(descriptor)
        rmdir(root)
    }

    private static func removeContents(of directory: Int32) {
        let duplicate = dup(directory)
        guard duplicate >= 0, let stream = fdopendir(duplicate) else { return }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = ArchivePOSIX.name(of: entry)
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(stream)
        for name in names {
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0 {
                    removeContents(of: child)
                    close(child)
                }
                unlinkat(directory, name, AT_REMOVEDIR)
            } else {
                unlinkat(directory, name, 0)
            }
        }
    }
}

/// An `errno` value carried as an error.
struct ArchiveErrno: Error {
    let code: Int32
}
