internal import CSystemSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An owned POSIX file descriptor, closed when the value is dropped.
struct FileDescriptor: ~Copyable {
    let rawValue: Int32

    init(adopting rawValue: Int32) {
        self.rawValue = rawValue
    }

    deinit {
        close(rawValue)
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

    /// Reads the whole remaining file, refusing files larger than `limit` bytes.
    func readAll(limit: Int, sizeHint: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(min(max(sizeHint, 0), limit) + 1)
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(rawValue, $0.baseAddress, chunk) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(errno: errno)
            }
            if count == 0 { break }
            if bytes.count + count > limit {
                throw SystemError(errno: EFBIG)
            }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return bytes
    }

    /// Calls `body` with successive chunks of the file until the end.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) -> Void) throws(SystemError) {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(rawValue, buffer.baseAddress, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(errno: errno)
            }
            if count == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Writes every byte, retrying short writes.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let count = write(rawValue, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(errno: errno)
            }
            offset += count
        }
    }

    /// Flushes the file's data and metadata to stable storage.
    func sync() throws(SystemError) {
        if fsync(rawValue) != 0 {
            throw SystemError(errno: errno)
        }
    }
}

/// An `errno` value with its text.
struct SystemError: Error, Sendable {
    let errno: Int32

    var message: String {
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
