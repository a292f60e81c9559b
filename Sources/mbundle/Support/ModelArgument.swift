import ModelBundle
import ModelBundleArchive

/// Opens the `MODEL` argument of a command: a bundle directory, a `.tar.gz`/`.zip` of one
/// (recognised by content), extracted to a private temporary directory that lives as long as the
/// returned value, or a `models:/`, `runs:/` or `mlflow-artifacts:/` URI (downloaded into the
/// cache by ``RegistryOptions``).
struct OpenedModel {
    /// Keeps an extracted archive's temporary directory alive.
    let extraction: ExtractedBundle
    /// The validated bundle.
    let bundle: OpenedBundle

    init(_ model: String) throws(ModelBundleError) {
        extraction = try ExtractedBundle.open(modelPath: try RegistryOptions.localPath(for: model))
        bundle = try BundleReader(path: extraction.directory.path).read()
    }
}
