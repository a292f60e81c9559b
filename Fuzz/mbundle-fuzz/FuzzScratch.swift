import ModelBundleArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The archive unpacker reads a path, so its targets write each input to one scratch file and
/// unpack into a fresh directory below one scratch root, removed after every input (a fuzz run
/// must not fill the disk, and each input must start from an empty target).
final class FuzzScratch: @unchecked Sendable {
    // The fuzzer calls the target from one thread; `@unchecked` only lets a global hold it.
    static let shared = FuzzScratch()

    private let root: String

    private init() {
        // tmpfs when there is one: unpacking fsyncs every file, which on a disk would bound the
        // fuzzer to a few hundred inputs a second.
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/mbundle-fuzz-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else { fatalError("mkdtemp failed") }
        root = String(cString: made)
        atexit { FuzzScratch.shared.removeAll() }
    }

    func unpack(_ bytes: [UInt8], suffix: String) {
        let archive = root + "/input" + suffix
        let target = root + "/out"
        guard let file = fopen(archive, "wb") else { return }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        _ = try? BundleUnpacker().unpack(archiveAt: archive, to: target)
        removeTree(target)
        unlink(archive)
    }

    /// Calls `body` with `bytes` written to one scratch file, removed afterwards.
    func withFile<R>(_ bytes: [UInt8], suffix: String, _ body: (String) -> R) -> R? {
        let path = root + "/input" + suffix
        guard let file = fopen(path, "wb") else { return nil }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        defer { unlink(path) }
        return body(path)
    }

    private func removeAll() {
        removeTree(root)
    }

    /// Depth-first removal; unpacked bundles are shallow and hold only files and directories.
    private func removeTree(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if (status.st_mode & S_IFMT) == S_IFDIR, let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { removeTree(path + "/" + name) }
            }
            closedir(directory)
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
