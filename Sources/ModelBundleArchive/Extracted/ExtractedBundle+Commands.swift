public import ModelBundle

/// The bundle-level use cases of the command line, each one call over a `MODEL` path (a bundle
/// directory or a `.tar.gz`/`.zip` of one), so front ends never assemble them.
extension BundleSummary {
    /// The summary of the bundle at `modelPath` (`mbundle inspect`).
    public init(modelPath: String) throws(ModelBundleError) {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        self = try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            try BundleSummary(BundleReader(path: extracted.directory.path).read())
        }
        path = modelPath
    }
}

extension ExtractedBundle {
    /// Checks the structure and checksums of the bundle at `modelPath` (`mbundle verify`); an
    /// archive's checksums are verified as it is unpacked, then the tree is checked like a directory.
    ///
    /// - Returns: the one line to print on success.
    /// - Throws: ``ModelBundleError`` for an invalid, damaged or modified bundle.
    package static func verify(modelPath: String) throws(ModelBundleError) -> String {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        let verification = try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            try BundleReader(path: extracted.directory.path).verify()
        }
        if let entry = verification.otherEntries.first {
            throw ModelBundleError(
                .unsafePath,
                "\(entry) is not a regular file or directory (links, FIFOs and devices are refused in bundles)",
                item: entry,
                location: .init(file: entry)
            )
        }
        if let file = verification.unlistedFiles.first {
            throw ModelBundleError(
                .checksumMismatch,
                "\(file) is not listed in \(ChecksumManifest.fileName); the bundle was modified after it was written",
                item: "\(file)",
                location: .init(file: "\(file)")
            )
        }
        switch verification.bundle.checksums {
        case .verified(let count):
            return "ok: \(modelPath): \(count) files match \(ChecksumManifest.fileName)"
        case .absent:
            return "ok: \(modelPath): structure valid; no \(ChecksumManifest.fileName) to check (written by MLflow?)"
        }
    }
}

extension BundleArchiver {
    /// Packs the bundle at `modelPath` (a directory, or an archive of one) into `outputPath`.
    public func pack(modelPath: String, to outputPath: String) throws(ModelBundleError) {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            _ = try pack(bundleAt: extracted.directory.path, to: outputPath)
        }
    }
}
