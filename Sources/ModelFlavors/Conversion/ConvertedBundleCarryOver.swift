import ModelBundle

/// What `mbundle convert` carries from the MLflow-written bundle into the native one, whatever the
/// model: the signature's original strings (not a re-serialisation: the same signature), the keys
/// named in `keys`, the metadata (with `mbundle_version` set), and the input example files byte for
/// byte, each read through the example reader first so a damaged example is refused, not copied.
enum ConvertedBundleCarryOver {
    static func apply(
        from bundle: OpenedBundle,
        to manifest: inout ModelManifest,
        files: inout [BundleFile],
        keys: [String] = [],
        mbundleVersion: String
    ) throws(ModelBundleError) {
        let original = bundle.manifest
        manifest.signatureBlock = original.signatureBlock
        for key in keys {
            manifest.document[key] = original.document[key]
        }
        var metadata = original.metadata ?? ManifestMap()
        metadata["mbundle_version"] = .string(mbundleVersion)
        manifest.metadata = metadata
        guard let info = try original.savedInputExampleInfo() else { return }
        _ = try InputExample.read(from: bundle.directory, info: info)
        manifest.setSavedInputExampleInfo(info)
        let field = "saved_input_example_info"
        var paths = [(info.artifactPath, "\(field).artifact_path")]
        if let serving = info.servingInputPath { paths.append((serving, "\(field).serving_input_path")) }
        for (name, pathField) in paths {
            let path = try BundlePath(name, field: pathField)
            let bytes = try bundle.directory.read(path, limit: InputExample.maximumFileSize, field: pathField)
            guard !files.contains(where: { $0.path == path }) else {
                throw ModelBundleError(
                    .manifestInvalid,
                    "MLmodel field \(pathField) names \(name), a file the native bundle writes itself",
                    item: pathField
                )
            }
            files.append(BundleFile(path, bytes: bytes))
        }
    }
}
