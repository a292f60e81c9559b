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

    @Argument(help: "The bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    @Option(help: "Also require a valid signature by this Ed25519 public key (PEM) over checksums.sha256.")
    var trustedKey: String?

    @OptionGroup var registry: RegistryOptions

    func run() throws {
        // An archive's checksums are verified as it is unpacked; the extracted tree is then
        // checked like a directory.
        let (verification, extraction) = try reportingErrors { () throws(ModelBundleError) in
            let extraction = try ExtractedBundle.open(modelPath: try RegistryOptions.localPath(for: model))
            return (try BundleReader(path: extraction.directory.path).verify(), extraction)
        }
        defer { withExtendedLifetime(extraction) {} }
        if let entry = verification.otherEntries.first {
            printError(
                "error: \(entry) is not a regular file or directory (links, FIFOs and devices are refused in bundles)"
            )
            throw ExitStatus.bundleInvalid
        }
        if let file = verification.unlistedFiles.first {
            printError(
                "error: \(file) is not listed in \(ChecksumManifest.fileName); the bundle was modified after it was written"
            )
            throw ExitStatus.bundleInvalid
        }
        if let trustedKey {
            try reportingErrors { () throws(ModelBundleError) in
                try SignatureRequirement.enforce(trustedKey: trustedKey, on: verification.bundle)
            }
            StandardOutput.write("ok: \(model): signed by \(trustedKey)\n")
        }
        switch verification.bundle.checksums {
        case .verified(let count):
            StandardOutput.write("ok: \(model): \(count) files match \(ChecksumManifest.fileName)\n")
        case .absent:
            StandardOutput.write(
                "ok: \(model): structure valid; no \(ChecksumManifest.fileName) to check (written by MLflow?)\n"
            )
        }
    }
}
