import ModelBundle

/// Validates archive entry names and remembers them, so that no two entries can land on the same
/// file (`reference/security.md` §2b).
///
/// Decisions, so that readers of the code and users agree:
/// - One leading `./` is removed (`tar czf x.tar.gz -C bundle .` writes `./MLmodel`); the entry
///   `./` itself, the archive's root, is skipped.
/// - One trailing `/` is removed from directory entries, as tar and zip write them.
/// - Anything else must pass ``BundlePath``'s rules unchanged: no `..`, absolute, drive-letter,
///   backslash, control-character or `#` names; nothing is rewritten into something acceptable.
/// - Two names are the same when they are equal after Unicode canonical equivalence (Swift's
///   `String` equality and hashing already compare NFC-normalised) and lower-casing, because
///   macOS and Windows file systems would put them on the same file.
struct ArchiveEntryNames {
    enum Kind {
        case file
        case directory
    }

    let limits: ArchiveLimits
    private var fileKeys = Set<String>()
    private var directoryKeys = Set<String>()
    private var explicitKeys = Set<String>()

    init(limits: ArchiveLimits) {
        self.limits = limits
    }

    /// Escapes control characters and shortens a name so that it is safe to print and log.
    static func printable(_ text: String) -> String {
        UntrustedText.escaped(text, limit: 200, marksCut: true)
    }

    /// Turns an entry's raw name into a validated path, or `nil` for the root entry (`./`).
    ///
    /// - Throws: `unsafeArchiveEntry` for an unsafe or duplicate name, `archiveLimitExceeded` for
    ///   one too long or too deep; both name the entry.
    mutating func admit(rawName bytes: [UInt8], kind: Kind) throws(ModelBundleError) -> BundlePath? {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let shown = Self.printable(String(decoding: bytes, as: UTF8.self))
            throw ModelBundleError(
                .unsafeArchiveEntry,
                "archive entry \"\(shown)\" has a name that is not valid UTF-8; the archive was refused",
                item: shown
            )
        }
        // Only a refusal shows the name: escaping it for every entry was a tenth of reading a skops file.
        var shown: String { Self.printable(text) }
        var name = Substring(text)
        if name.hasPrefix("./") { name = name.dropFirst(2) }
        if kind == .directory && name.hasSuffix("/") { name = name.dropLast() }
        if name.isEmpty || name == "." {
            guard kind == .directory else {
                throw ModelBundleError(
                    .unsafeArchiveEntry,
                    "archive entry \"\(shown)\" is a file without a name",
                    item: shown
                )
            }
            return nil
        }
        if name.utf8.count > limits.maximumPathLength {
            throw ModelBundleError(
                .archiveLimitExceeded,
                "archive entry \"\(shown)\" has a name of \(name.utf8.count) bytes, more than the limit of \(limits.maximumPathLength)",
                item: shown
            )
        }
        let depth = name.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }
        if depth > limits.maximumPathDepth {
            throw ModelBundleError(
                .archiveLimitExceeded,
                "archive entry \"\(shown)\" is \(depth) levels deep, more than the limit of \(limits.maximumPathDepth)",
                item: shown
            )
        }
        let path: BundlePath
        do {
            path = try BundlePath(String(name), field: "archive entry")
        } catch {
            throw ModelBundleError(
                .unsafeArchiveEntry,
                "archive entry \"\(shown)\" is refused: \(error.message)",
                item: shown
            )
        }
        try remember(path, kind: kind, text: text)
        return path
    }

    private mutating func remember(_ path: BundlePath, kind: Kind, text: String) throws(ModelBundleError) {
        var shown: String { Self.printable(text) }
        let key = path.rawValue.lowercased()
        var parentKey = ""
        var parentKeys: [String] = []
        for part in path.components.dropLast() {
            parentKey = parentKey.isEmpty ? part.lowercased() : parentKey + "/" + part.lowercased()
            if fileKeys.contains(parentKey) {
                throw ModelBundleError(
                    .unsafeArchiveEntry,
                    "archive entry \"\(shown)\" would go inside a file of the same archive; the archive was refused",
                    item: shown
                )
            }
            parentKeys.append(parentKey)
        }
        let clashes =
            explicitKeys.contains(key) || fileKeys.contains(key) || (kind == .file && directoryKeys.contains(key))
        if clashes {
            throw ModelBundleError(
                .unsafeArchiveEntry,
                "archive entry \"\(shown)\" appears twice (names are compared ignoring case and Unicode "
                    + "normalisation); the archive was refused",
                item: shown
            )
        }
        explicitKeys.insert(key)
        switch kind {
        case .file: fileKeys.insert(key)
        case .directory: directoryKeys.insert(key)
        }
        directoryKeys.formUnion(parentKeys)
    }
}
