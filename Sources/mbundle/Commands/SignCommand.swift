import ArgumentParser
import ModelBundle

/// `mbundle sign -m BUNDLE --key KEY`: adds `checksums.sha256.sig`.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a bundle directory's checksums.sha256 with an Ed25519 key.",
        discussion: """
            The bundle must be intact (every file listed in checksums.sha256 and matching). The \
            signature is written atomically to checksums.sha256.sig, replacing an earlier one; pack \
            the bundle afterwards to ship it as one file. Exit status 2 when the bundle is invalid or \
            has no checksums.sha256, 64 when the key file is unusable.
            """
    )

    @Option(name: .shortAndLong, help: "The bundle directory to sign.")
    var model: String

    @Option(help: "The private key file (from mbundle keygen, or openssl genpkey -algorithm ed25519).")
    var key: String

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            let privateKey = try SigningKeyFile.readPrivateKey(at: key)
            try BundleSignature.sign(BundleDirectory(path: model), with: privateKey)
        }
        printNote("signed \(model): wrote \(BundleSignature.fileName)")
    }
}
