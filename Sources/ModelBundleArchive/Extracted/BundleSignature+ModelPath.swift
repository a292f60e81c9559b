public import ModelBundle

/// The signature checks of the command line, each one call over a `MODEL` path (a bundle directory
/// or a `.tar.gz`/`.zip` of one).
extension BundleSignature {
    /// Whether the bundle at `modelPath` carries a signature file (valid or not).
    public static func isPresent(modelPath: String) -> Bool {
        guard let extracted = try? ExtractedBundle.open(modelPath: modelPath),
            let path = try? BundlePath(fileName)
        else { return false }
        return withExtendedLifetime(extracted) { extracted.directory.containsFile(path) }
    }

    /// Checks that the bundle at `modelPath` is signed by the Ed25519 public key in the PEM file at
    /// `trustedKeyPath` and intact (`mbundle verify --trusted-key`).
    public static func verify(modelPath: String, trustedKeyPath: String) throws(ModelBundleError) {
        let key = try SigningKeyFile.readPublicKey(at: trustedKeyPath)
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            let bundle = try BundleReader(path: extracted.directory.path).read()
            try verify(bundle.directory, trustedKey: key, keyName: trustedKeyPath)
        }
    }
}
