/// What `mbundle verify` checks beyond ``BundleReader``: that no file escapes the checksums and
/// that the bundle holds nothing but regular files and directories.
package struct BundleVerification: Sendable {
    /// The validated bundle.
    public let bundle: OpenedBundle
    /// Files present but not listed in `checksums.sha256`, apart from the checksums and their
    /// signature (empty when the bundle has no checksums).
    public let unlistedFiles: [BundlePath]
    /// Entries that are neither regular files nor directories (links, FIFOs, devices) or have unsafe names.
    public let otherEntries: [String]

    /// Whether the bundle passed every check.
    public var isClean: Bool { unlistedFiles.isEmpty && otherEntries.isEmpty }
}

extension BundleReader {
    /// Validates the bundle as ``read()`` does, then lists every entry to find files the checksums
    /// do not cover and entries that are not regular files or directories.
    package func verify() throws(ModelBundleError) -> BundleVerification {
        let bundle = try read()
        let listing = try directory.listFiles()
        var unlisted: [BundlePath] = []
        if case .verified = bundle.checksums {
            let checksums = try ChecksumManifest(
                parsing: try directory.read(
                    try BundlePath(ChecksumManifest.fileName),
                    limit: ChecksumManifest.maximumSize
                )
            )
            let listed = Set(checksums.entries.map(\.path))
            // The checksums cannot list themselves, nor the signature computed from them.
            let unlistable: Set = [ChecksumManifest.fileName, BundleSignature.fileName]
            unlisted = listing.files.filter { !listed.contains($0) && !unlistable.contains($0.rawValue) }
        }
        return BundleVerification(bundle: bundle, unlistedFiles: unlisted, otherEntries: listing.others)
    }
}
