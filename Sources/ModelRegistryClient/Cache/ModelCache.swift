import Crypto
import ModelBundle
import SystemPlatform

/// The content-addressed download cache (`$XDG_CACHE_HOME/mbundle`, default `~/.cache/mbundle`):
///
/// ```
/// objects/<H>/          a downloaded model directory, never modified after it is published
/// objects/<H>.tree      its tree: `sha256sum` lines for every file, sorted; H = SHA-256 of this text
/// refs/<K>              "object <H>\nversion <V>\n"; K = SHA-256 of the server URL and the URI
/// ```
///
/// Downloads land in a private staging directory beside `objects/`, are verified there, and are
/// published with one rename that never replaces anything. Every use re-hashes the entry against
/// its tree (and the tree against its name): an entry changed on disk is reported, removed and
/// downloaded again, never used.
package struct ModelCache: Sendable {
    /// The cache root.
    package let root: String

    package init(root: String) {
        self.root = root
    }

    /// `$XDG_CACHE_HOME/mbundle`, else `$HOME/.cache/mbundle`.
    package static func defaultRoot(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/mbundle" }
        return (environment["HOME"] ?? "/tmp") + "/.cache/mbundle"
    }

    var objects: String { root + "/objects" }
    var refs: String { root + "/refs" }

    /// What a ref records.
    struct Reference: Equatable {
        var object: String
        var version: String?
    }

    /// The ref name for a URI on a server.
    static func key(server: String, uri: String) -> String {
        sha256Hex(Array("\(server)\n\(uri)".utf8))
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return ChecksumManifest.hex(hasher.finalize())
    }

    // MARK: - Refs

    func reference(_ key: String) -> Reference? {
        guard let path = try? BundlePath(key),
            let bytes = try? BundleDirectory(path: refs).read(path, limit: 4096),
            let text = String(validating: bytes, as: UTF8.self)
        else { return nil }
        var reference = Reference(object: "")
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            if parts[0] == "object" { reference.object = String(parts[1]) }
            if parts[0] == "version" { reference.version = String(parts[1]) }
        }
        guard reference.object.utf8.count == 64, reference.object.utf8.allSatisfy(Self.isHex) else { return nil }
        return reference
    }

    func setReference(_ key: String, _ reference: Reference) throws(ModelBundleError) {
        try makeDirectories()
        var text = "object \(reference.object)\n"
        if let version = reference.version { text += "version \(version)\n" }
        try BundleSignature.replaceAtomically(in: refs, name: key, bytes: Array(text.utf8))
    }

    // MARK: - Objects

    /// The path of a verified entry, or `nil` when it is absent. A damaged entry is removed
    /// (after `report` is told which file changed) and `nil` returned, so it is downloaded again.
    func verifiedObject(_ hash: String, report: (String) -> Void) -> String? {
        let directory = objects + "/" + hash
        guard BundleDirectory(path: directory).isDirectory else { return nil }
        if let problem = problem(with: hash) {
            report(problem)
            StagingDirectory.removeTree(directory)
            unlink(directory + ".tree")
            return nil
        }
        return directory
    }

    /// Why an entry does not match its tree, or `nil` when it does.
    private func problem(with hash: String) -> String? {
        let entry = BundleDirectory(path: objects + "/" + hash)
        guard let treePath = try? BundlePath(hash + ".tree"),
            let tree = try? BundleDirectory(path: objects).read(treePath, limit: ChecksumManifest.maximumSize)
        else { return "its tree file is missing" }
        guard Self.sha256Hex(tree) == hash,
            let manifest = try? ChecksumManifest(parsing: tree)
        else { return "its tree file does not match its name" }
        guard let listing = try? entry.listFiles() else { return "it cannot be listed" }
        if let other = listing.others.first { return "\(other) is not a regular file" }
        let expected = Set(manifest.entries.map(\.path))
        if let added = listing.files.first(where: { !expected.contains($0) }) { return "\(added) was added" }
        do {
            if let changed = try manifest.mismatches(in: entry).first { return "\(changed) was changed" }
        } catch {
            return error.message
        }
        return nil
    }

    /// Verifies a staged download and publishes it under its content address.
    ///
    /// - Returns: the entry's hash.
    func publish(_ staging: StagingDirectory) throws(ModelBundleError) -> String {
        let staged = BundleDirectory(path: staging.path)
        let listing = try staged.listFiles()
        let tree = try ChecksumManifest(computingFor: listing.files, in: staged).text
        let hash = Self.sha256Hex(Array(tree.utf8))
        if verifiedObject(hash, report: { _ in }) != nil {
            return hash  // the same bytes are already cached (another process, another URI)
        }
        // The tree goes first: an entry published without one reads as damaged and is replaced.
        try BundleSignature.replaceAtomically(in: objects, name: hash + ".tree", bytes: Array(tree.utf8))
        try staging.retarget(name: hash)
        do {
            try staging.publish()
        } catch  where error.code == .targetExists {
            // Published concurrently by another process: same name, same content.
        }
        return hash
    }

    /// A staging directory inside the cache for one download.
    func makeStaging() throws(ModelBundleError) -> StagingDirectory {
        try makeDirectories()
        var random = SystemRandomNumberGenerator()
        let name = ".incoming-" + String(random.next(), radix: 16)
        return try StagingDirectory(besideTarget: objects + "/" + name)
    }

    func makeDirectories() throws(ModelBundleError) {
        var sofar = root.hasPrefix("/") ? "" : "."
        for part in (root + "/objects").split(separator: "/") {
            sofar += "/" + part
            if mkdir(sofar, 0o700) != 0 && errno != EEXIST {
                throw ModelBundleError(
                    .ioFailure,
                    "cannot create the cache directory \(sofar); set --cache-dir or XDG_CACHE_HOME",
                    item: sofar
                )
            }
        }
        if mkdir(refs, 0o700) != 0 && errno != EEXIST {
            throw ModelBundleError(.ioFailure, "cannot create the cache directory \(refs)", item: refs)
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
    }
}
