import ArgumentParser
import ModelBundle

/// `mbundle keygen -o KEY`: a new Ed25519 key pair for `mbundle sign`.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair for signing bundles.",
        discussion: """
            Writes the private key to KEY (mode 0600) and the public key to KEY.pub, both PEM in the \
            formats OpenSSL uses (PKCS#8 PRIVATE KEY, SubjectPublicKeyInfo PUBLIC KEY). Existing files \
            are never overwritten. Give KEY to mbundle sign, KEY.pub to verify --trusted-key and \
            predict --require-signature.
            """
    )

    @Option(name: .shortAndLong, help: "The private key file to create; the public key goes to <output>.pub.")
    var output: String

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            try SigningKeyFile.writeNewKeyPair(to: output)
        }
        printNote("wrote \(output) (private key, keep it secret) and \(output).pub (public key)")
    }
}
