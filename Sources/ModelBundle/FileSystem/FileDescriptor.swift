internal import CSystemSupport
import SystemPlatform

/// The package's one POSIX I/O helper: an owned (or borrowed) file descriptor whose reads and
/// writes follow one policy: `EINTR` is retried, short writes are continued, any other failure is
/// thrown as a ``SystemError`` carrying `errno` (so `EPIPE` can be told apart by the caller).
package struct FileDescriptor: ~Copyable {
    package let rawValue: Int32
    private let owned: Bool

    /// Takes ownership: the descriptor is closed when the value is dropped.
    package init(adopting rawValue: Int32) {
        self.rawValue = rawValue
        self.owned = true
    }

    /// Uses a descriptor someone else owns (standard input or output); it is never closed here.
    package init(borrowing rawValue: Int32) {
        self.rawValue = rawValue
        self.owned = false
    }

    deinit {
        if owned { close(rawValue) }
    }

    /// Opens `path` for reading.
    package static func openForReading(_ path: String) -> Result<FileDescriptor, SystemError> {
        open(path, flags: O_RDONLY)
    }

    /// Opens `name` relative to `directory` (or the working directory).
    static func open(
        _ name: String,
        relativeTo directory: Int32 = AT_FDCWD,
        flags: Int32,
        mode: UInt32 = 0
    ) -> Result<FileDescriptor, SystemError> {
        let descriptor = mb_openat(directory, name, flags | O_CLOEXEC, mode)
        if descriptor < 0 {
            return .failure(SystemError(errno: errno))
        }
        return .success(FileDescriptor(adopting: descriptor))
    }

    /// The result of `fstat`.
    func status() throws(SystemError) -> stat {
        var info = stat()
        if fstat(rawValue, &info) != 0 {
            throw SystemError(errno: errno)
        }
        return info
    }

    /// Whether the descriptor is a regular file, and its size then.
    package func regularFileSize() -> Int? {
        guard let info = try? status(), (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// Whether the descriptor is a directory.
    package func isDirectory() -> Bool {
        guard let info = try? status() else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// One `read(2)` into `buffer`; 0 at the end of the file.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        while true {
            let count = systemRead(rawValue, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw SystemError(errno: errno)
        }
    }

    /// Fills `buffer` from byte `offset` of the file (`pread`: the file's offset is left alone);
    /// returns how many bytes were read, fewer than asked only at the end of the file.
    package func read(into buffer: UnsafeMutableRawBufferPointer, atOffset offset: Int) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let got = pread(rawValue, base + filled, buffer.count - filled, off_t(offset + filled))
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemError(errno: errno)
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    /// Up to `count` bytes from the start of the file (`pread`: the offset is left alone); fewer
    /// when the file is shorter or unreadable.
    package func readPrefix(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(rawValue, base + filled, count - filled, off_t(filled))
            }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            filled += got
        }
        return Array(bytes[0..<filled])
    }

    /// Reads the whole remaining file, refusing files larger than `limit` bytes (`EFBIG`).
    package func readAll(limit: Int, sizeHint: Int) throws(SystemError) -> [UInt8] {
        // The expected size is read straight into the array's uninitialised storage: no zero fill
        // and no copy through a chunk buffer (for a large request that was a memset, a memcpy and a
        // page fault per page more than the read itself).
        let expected = min(max(sizeHint, 0), limit)
        var failure: SystemError?
        var bytes: [UInt8] = []
        // Not for 0 bytes: with no capacity the initializer writes the count into the runtime's one
        // shared empty array (a data race between threads, which the thread sanitizer reports).
        if expected > 0 {
            bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
                initialized = 0
                let storage = UnsafeMutableBufferPointer(rebasing: buffer[0..<expected])
                LargeArray.prepareForWriting(UnsafeMutableRawBufferPointer(storage))
                while initialized < expected {
                    do throws(SystemError) {
                        let rest = UnsafeMutableBufferPointer(rebasing: buffer[initialized..<expected])
                        let got = try read(into: UnsafeMutableRawBufferPointer(rest))
                        if got == 0 { return }
                        initialized += got
                    } catch {
                        failure = error
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        guard bytes.count == expected else { return bytes }  // the end came before the expected size
        // Anything beyond (no size known, or a file that grew): in chunks, still within the limit. The
        // chunk is left uninitialised: for a file of known size the only read here is the one that finds
        // the end, and zero-filling 64 KiB for it was most of a small file's read.
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try read(into: chunk)
            if count == 0 { break }
            if bytes.count + count > limit {
                throw SystemError(errno: EFBIG)
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
        return bytes
    }

    /// Calls `body` with successive chunks of the file until the end: chunks of 1 MiB, or of the
    /// file's expected size when that is smaller (a small file's read then needs no 1 MiB mapping).
    package func forEachChunk(expectedSize: Int = .max, _ body: (UnsafeRawBufferPointer) -> Void) throws(SystemError) {
        let chunk = min(1 << 20, max(expectedSize, 4096))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(into: buffer)
            if count == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Writes every byte, retrying short writes and `EINTR`.
    package func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let count = systemWrite(rawValue, base + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(errno: errno)
            }
            offset += count
        }
    }

    /// Writes every byte of `bytes`.
    package func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try writeAll(raw) } }.get()
    }

    /// Flushes the file's data and metadata to stable storage.
    package func sync() throws(SystemError) {
        if fsync(rawValue) != 0 {
            throw SystemError(errno: errno)
        }
    }
}

/// `read(2)` and `write(2)`, named apart from the methods.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// An `errno` value with its text.
package struct SystemError: Error, Sendable {
    package let errno: Int32

    package init(errno: Int32) {
        self.errno = errno
    }

    /// `EFBIG`: what ``FileDescriptor/readAll(limit:sizeHint:)`` throws past its limit.
    package static let fileTooLarge = EFBIG

    /// Whether the reader at the other end of a pipe or socket went away.
    package var isBrokenPipe: Bool { errno == EPIPE }

    package var message: String {
        guard let text = strerror(errno) else { return "errno \(errno)" }
        return String(cString: text)
    }
}

/// Directory listings without `.` and `..`.
enum DirectoryListing {
    /// The names in the directory open at `descriptor` (the descriptor stays open).
    static func names(ofDirectory descriptor: Int32) -> [String]? {
        let duplicate = dup(descriptor)
        guard duplicate >= 0 else { return nil }
        guard let stream = fdopendir(duplicate) else {
            close(duplicate)
            return nil
        }
        defer { closedir(stream) }
        return names(in: stream)
    }

    /// The names in the directory at `path`.
    static func names(ofDirectoryAt path: String) -> [String]? {
        guard let stream = opendir(path) else { return nil }
        defer { closedir(stream) }
        return names(in: stream)
    }

    private static func names(in stream: OpaquePointer) -> [String] {
        var names: [String] = []
        while let entry = readdir(stream) {
            // Read the name where it lies: `d_name` is declared as 256 bytes, but the kernel's
            // record may be shorter, so copying the whole field reads past the buffer (ASan).
            let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
            let name = String(cString: UnsafeRawPointer(entry).advanced(by: offset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// Process-wide I/O settings and facts the command line needs, kept beside the descriptor helper
/// so no other file repeats the platform imports.
package enum ProcessIO {
    /// Makes a write to a closed pipe fail with `EPIPE` (reported, with a documented exit status)
    /// instead of killing the process with `SIGPIPE`.
    package static func ignoreBrokenPipeSignal() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Whether `descriptor` is a terminal.
    package static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1
    }

    /// Seconds on a monotonic clock.
    package static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
