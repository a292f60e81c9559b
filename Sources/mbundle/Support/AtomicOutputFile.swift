import ModelBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file that appears all at once or not at all: bytes go to a private temporary file
/// beside the destination, which ``commit()`` syncs and renames over it. Until then an existing
/// file at the destination is untouched; ``discard()`` (or an error) deletes the temporary file.
final class AtomicOutputFile {
    let destination: String
    private(set) var temporaryPath: String
    private var descriptor: Int32
    private var finished = false

    init(destination: String) throws(ModelBundleError) {
        self.destination = destination
        let (directory, name) = splitPath(destination)
        var template = Array("\(directory)/.\(name).mbundle-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ModelBundleError(
                .ioFailure,
                "cannot create an output file beside \(destination): \(reason)",
                item: destination
            )
        }
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
    func write(_ bytes: UnsafeRawBufferPointer) throws(ModelBundleError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = posixWrite(descriptor, base + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                throw ModelBundleError(.ioFailure, "cannot write \(destination): \(reason)", item: destination)
            }
            offset += written
        }
    }

    /// Syncs the temporary file and renames it to the destination.
    func commit() throws(ModelBundleError) {
        guard !finished else { return }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw ModelBundleError(.ioFailure, "cannot write \(destination): \(reason)", item: destination)
        }
        descriptor = -1
        guard rename(temporaryPath, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw ModelBundleError(.ioFailure, "cannot create \(destination): \(reason)", item: destination)
        }
        finished = true
    }

    /// Deletes the temporary file; the destination is left as it was.
    func discard() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }
}

/// `write(2)`, named apart from the methods called `write`.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
