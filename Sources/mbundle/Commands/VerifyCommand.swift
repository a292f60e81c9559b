import ArgumentParser
import ModelBundle
import ModelBundleArchive

/// `mbundle verify MODEL`: structure and checksums.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a bundle's structure and checksums.",
        discussion: "Exit status 0 when the bundle is intact, 2 when it is invalid, damaged or modified."
    )

    @Argument(help: "The bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    func run() throws {
        // An archive's checksums are verified as it is unpacked; the extracted tree is then
        // checked like a directory.
        let (verification, extraction) = try reportingErrors { () throws(ModelBundleError) in
            let extraction = try ExtractedBundle.open(modelPath: model)
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
