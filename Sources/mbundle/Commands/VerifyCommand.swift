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

    @OptionGroup var model: ModelArgument

    func run() throws {
        let line = try reportingErrors { () throws(ModelBundleError) in
            try ExtractedBundle.verify(modelPath: model.model)
        }
        StandardOutput.write(line + "\n")
    }
}
