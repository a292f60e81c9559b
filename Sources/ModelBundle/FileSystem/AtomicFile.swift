import SystemPlatform

/// A file that appears all at once or not at all: bytes go to a private temporary sibling
/// (`.NAME.mbundle-XXXXXX`), which ``commit()`` syncs and renames over the destination. Until then
/// an existing file at the destination is untouched; ``discard()`` (or release) deletes the sibling.
package final class AtomicFile {
    /// The file to create or replace.
    package let destination: String
    /// The temporary sibling being written.
    package private(set) var temporaryPath: String
    private var descriptor: Int32
    private var finished = false

    /// The infix of the temporary siblings, for ``StaleSiblings``.
    package static let siblingInfix = "mbundle"

    /// Creates the temporary sibling of `destination`.
    package init(destination: String) throws(SystemError) {
        self.destination = destination
        let (directory, name) = PathParts.split(destination)
        var template = Array("\(directory)/.\(name).\(Self.siblingInfix)-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard descriptor >= 0 else { throw SystemError(errno: errno) }
        self.descriptor = descriptor
        self.temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp creates 0600; an output file is an ordinary file (umask still applies at open).
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
    }

    deinit {
        discard()
    }

    /// Appends `bytes`.
    package func write(_ bytes: [UInt8]) throws(SystemError) {
        try FileDescriptor(borrowing: descriptor).writeAll(bytes)
    }

    /// Syncs the temporary file and renames it over the destination; then removes temporary
    /// siblings of the destination that a killed earlier write left behind (``StaleSiblings``).
    package func commit() throws(SystemError) {
        guard !finished else { return }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            let failure = SystemError(errno: errno)
            discard()
            throw failure
        }
        descriptor = -1
        guard rename(temporaryPath, destination) == 0 else {
            let failure = SystemError(errno: errno)
            discard()
            throw failure
        }
        finished = true
        StaleSiblings.remove(of: destination)
    }

    /// Deletes the temporary file; the destination is left as it was.
    package func discard() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }
}

/// Splits paths without Foundation.
package enum PathParts {
    /// A path's directory (`.` when it has none) and last component.
    package static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
