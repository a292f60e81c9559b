import ModelBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a file path into its directory and last component.
func splitPath(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
}

/// Creates a new file (refusing to replace one) and writes `bytes` to it.
func writeNewFile(_ path: String, _ bytes: [UInt8]) throws(ModelBundleError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        let reason = String(cString: strerror(errno))
        throw ModelBundleError(.ioFailure, "cannot create \(path): \(reason)", item: path)
    }
    defer { close(descriptor) }
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
        guard written > 0 else {
            unlink(path)
            throw ModelBundleError(.ioFailure, "cannot write \(path)", item: path)
        }
        offset += written
    }
}
