package import ModelBundle
import SystemPlatform

/// A bundle ready to read, whether it was given as a directory or as a `.tar.gz`/`.zip` file.
///
/// Every command that takes `MODEL` goes through ``open(modelPath:limits:)``: a directory is used
/// in place; an archive (recognised by its first bytes, not its name) is unpacked safely by
/// ``BundleUnpacker`` into a fresh private (0700) temporary directory, which is removed when this
/// value is released. Keep the value alive for as long as ``directory`` is in use.
package final class ExtractedBundle: Sendable {
    /// The bundle's files.
    public let directory: BundleDirectory
    /// The archive format when `modelPath` was an archive; `nil` for a directory.
    public let archiveFormat: ArchiveFormat?
    /// The private directory to remove on release; `nil` for a directory used in place.
    private let temporaryRoot: String?

    private init(directory: BundleDirectory, archiveFormat: ArchiveFormat?, temporaryRoot: String?) {
        self.directory = directory
        self.archiveFormat = archiveFormat
        self.temporaryRoot = temporaryRoot
    }

    deinit {
        if let temporaryRoot {
            ArchivePOSIX.removeTree(temporaryRoot)
        }
    }

    /// Opens `modelPath`: a bundle directory, or an archive of one.
    ///
    /// An archive whose root holds no `MLmodel` but exactly one directory (as `tar czf m.tar.gz
    /// model/` makes) is opened at that directory.
    ///
    /// - Throws: ``ModelBundleError``: `fileMissing` when nothing is at `modelPath`,
    ///   `archiveUnsupported` for a file that is not a tar/gzip/zip archive, and every refusal of
    ///   ``BundleUnpacker``.
    public static func open(modelPath: String, limits: ArchiveLimits = .standard) throws(ModelBundleError)
        -> ExtractedBundle
    {
        var info = stat()
        guard stat(modelPath, &info) == 0 else {
            throw ModelBundleError(
                .fileMissing,
                "\(modelPath) does not exist; give a bundle directory or a .tar.gz/.zip of one",
                item: modelPath
            )
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return ExtractedBundle(directory: BundleDirectory(path: modelPath), archiveFormat: nil, temporaryRoot: nil)
        }
        let root: String
        switch ArchivePOSIX.makeTemporaryDirectory(template: ArchivePOSIX.temporaryRoot + "/mbundle-XXXXXX") {
        case .success(let created): root = created
        case .failure(let failure):
            let code = failure.code
            throw ModelBundleError(
                .ioFailure,
                "cannot create a private temporary directory to unpack \(modelPath)",
                item: ArchivePOSIX.temporaryRoot,
                detail: ArchivePOSIX.message(code)
            )
        }
        let target = root + "/bundle"
        let format: ArchiveFormat
        do {
            format = try BundleUnpacker(limits: limits).unpack(archiveAt: modelPath, to: target)
        } catch {
            ArchivePOSIX.removeTree(root)
            throw error
        }
        return ExtractedBundle(
            directory: BundleDirectory(path: Self.bundleRoot(in: target)),
            archiveFormat: format,
            temporaryRoot: root
        )
    }

    /// `target`, or its only subdirectory when `target` has no `MLmodel` and nothing else.
    private static func bundleRoot(in target: String) -> String {
        let bundle = BundleDirectory(path: target)
        if let manifest = try? BundlePath("MLmodel"), bundle.containsFile(manifest) { return target }
        guard let stream = opendir(target) else { return target }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = ArchivePOSIX.name(of: entry)
            if name != "." && name != ".." { names.append(name) }
        }
        if names.count == 1, let only = try? BundlePath(names[0]), bundle.containsDirectory(only) {
            return only.appended(to: target)
        }
        return target
    }
}
