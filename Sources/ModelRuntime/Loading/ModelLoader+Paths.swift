public import ModelBundle
internal import ModelBundleArchive

extension ModelLoader {
    /// Loads the model at `modelPath`: a bundle directory, or a `.tar.gz`/`.zip` of one (recognised
    /// by content and unpacked safely to a private temporary directory, removed once the model is
    /// loaded: flavors read everything they need while loading).
    ///
    /// - Throws: ``ModelBundleError`` for a missing, invalid, corrupt or unsupported bundle.
    public func load(modelPath: String) throws(ModelBundleError) -> LoadedModel {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        return try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            try load(BundleReader(path: extracted.directory.path).read())
        }
    }
}

extension SchemaEnforcer {
    /// The enforcer of the signature of the bundle at `modelPath` (a directory or an archive),
    /// without loading its flavor: what `validate` needs, for any bundle, runnable here or not.
    public init(modelPath: String) throws(ModelBundleError) {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        let signature = try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            try BundleReader(path: extracted.directory.path).read().manifest.signature()
        }
        self.init(signature: signature)
    }
}
