import ArgumentParser

/// `--require-signature PUB`, shared by the commands that run a model: the bundle must carry a
/// valid signature by that key over checksums that match every file it holds.
struct SignatureRequirement: ParsableArguments {
    @Option(
        name: .customLong("require-signature"),
        help: "Refuse the bundle unless it is signed by this Ed25519 public key (PEM) and intact."
    )
    var trustedKey: String?
}
