import ArgumentParser
import ModelBundle

/// `--require-signature PUB`, shared by the commands that run a model: the bundle must carry a
/// valid signature by that key over checksums that match every file it holds.
struct SignatureRequirement: ParsableArguments {
    @Option(
        name: .customLong("require-signature"),
        help: "Refuse the bundle unless it is signed by this Ed25519 public key (PEM) and intact."
    )
    var trustedKey: String?

    /// Checks the bundle when a key was given; throws the reason (exit status 2, or 64 for a bad key).
    func enforce(on bundle: OpenedBundle) throws(ModelBundleError) {
        guard let trustedKey else { return }
        try Self.enforce(trustedKey: trustedKey, on: bundle)
    }

    static func enforce(trustedKey: String, on bundle: OpenedBundle) throws(ModelBundleError) {
        let key = try SigningKeyFile.readPublicKey(at: trustedKey)
        try BundleSignature.verify(bundle.directory, trustedKey: key, keyName: trustedKey)
    }
}
