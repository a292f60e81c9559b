public import ModelBundle
internal import ModelBundleArchive

extension ModelLoader {
    /// Loads the model at `modelPath`: a bundle directory, or a `.tar.gz`/`.zip` of one (recognised
    /// by content and unpacked safely to a private temporary directory, removed once the model is
    /// loaded: flavors read everything they need while loading).
    ///
    /// - Throws: ``ModelBundleError`` for a missing, invalid, corrupt or unsupported bundle.
    ///
    /// - Parameter trustedKeyPath: an Ed25519 public key file (PEM); when given, the bundle must be
    ///   signed by it over checksums that match every file (`--require-signature`), checked before
    ///   any flavor reads a byte.
    public func load(modelPath: String, trustedKeyPath: String? = nil) throws(ModelBundleError) -> LoadedModel {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        return try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            let reader = BundleReader(path: extracted.directory.path)
            guard let trustedKeyPath else {
                return try reader.readForLoading { bundle throws(ModelBundleError) in try load(bundle) }
            }
            let bundle = try reader.read()
            let key = try SigningKeyFile.readPublicKey(at: trustedKeyPath)
            try BundleSignature.verify(bundle.directory, trustedKey: key, keyName: trustedKeyPath)
            return try load(bundle)
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
