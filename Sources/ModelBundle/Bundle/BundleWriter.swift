/// Writes a bundle all-or-nothing (DESIGN.md §2): files go into a private staging directory
/// beside the destination and are synced; `model_size_bytes` and `checksums.sha256` are computed
/// from what was written; then one rename that refuses to replace anything publishes the bundle.
///
/// A destination that exists and is not an empty directory is refused and left untouched. If
/// anything fails, the staging directory is removed and no destination appears.
public struct BundleWriter: Sendable {
    /// Files MLflow leaves out of `model_size_bytes` (it writes them after measuring).
    static let unmeasuredFiles: Set<String> = [
        ModelManifest.fileName, "conda.yaml", "python_env.yaml", "requirements.txt", ChecksumManifest.fileName,
    ]

    /// Where the bundle will appear.
    public var destination: String

    public init(destination: String) {
        self.destination = destination
    }

    /// Writes `files` and the manifest, then `checksums.sha256` over all of them.
    ///
    /// - Parameters:
    ///   - manifest: the `MLmodel` to write; `model_size_bytes` is set from the payload.
    ///   - files: every other file of the bundle (weights, code, examples, environment files).
    /// - Returns: the manifest as written.
    @discardableResult
    public func write(manifest: ModelManifest, files: [BundleFile]) throws(ModelBundleError) -> ModelManifest {
        var seen = Set<BundlePath>()
        for file in files {
            let name = file.path.rawValue
            guard name != ModelManifest.fileName, name != ChecksumManifest.fileName else {
                throw ModelBundleError(
                    .ioFailure,
                    "\(name) is written by the bundle writer itself; do not pass it as a file",
                    item: name
                )
            }
            guard seen.insert(file.path).inserted else {
                throw ModelBundleError(.ioFailure, "\(name) is given twice", item: name)
            }
        }
        let staging = try StagingDirectory(besideTarget: destination)
        let stagedDirectory = BundleDirectory(path: staging.path)
        var payloadSize = 0
        for file in files {
            switch file.contents {
            case .bytes(let bytes): try staging.write(file.path, bytes: bytes)
            case .produced(let producer): try staging.write(file.path, producing: producer)
            }
            if !Self.unmeasuredFiles.contains(file.path.rawValue) {
                payloadSize += try stagedDirectory.size(of: file.path)
            }
        }
        var written = manifest
        written.modelSizeBytes = payloadSize
        let manifestPath = try BundlePath(ModelManifest.fileName)
        try staging.write(manifestPath, bytes: Array(written.yamlText.utf8))
        let checksums = try ChecksumManifest(computingFor: files.map(\.path) + [manifestPath], in: stagedDirectory)
        try staging.write(try BundlePath(ChecksumManifest.fileName), bytes: Array(checksums.text.utf8))
        try staging.publish()
        return written
    }
}
