import ArgumentParser
import ModelBundle
import ModelBundleArchive

/// `mbundle verify MODEL`: structure and checksums.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a bundle's structure and checksums.",
        discussion: """
            Exit status 0 when the bundle is intact (and, with --trusted-key, signed by that key), 2 when \
            it is invalid, damaged, modified, unsigned or signed by another key.
            """
    )

    @OptionGroup var model: ModelArgument

    @Option(help: "Also require a valid signature by this Ed25519 public key (PEM) over checksums.sha256.")
    var trustedKey: String?

    @OptionGroup var registry: RegistryOptions

    func run() throws {
        let line = try reportingErrors { () throws(ModelBundleError) in
            let path = try RegistryOptions.localPath(for: model.model)
            let line = try ExtractedBundle.verify(modelPath: path)
            guard let trustedKey else { return line }
            try BundleSignature.verify(modelPath: path, trustedKeyPath: trustedKey)
            return line + "\nok: \(model.model): signed by \(trustedKey)"
        }
        StandardOutput.write(line + "\n")
    }
}
