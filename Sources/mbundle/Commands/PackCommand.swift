import ArgumentParser
import ModelBundle
import ModelBundleArchive

/// `mbundle pack MODEL -o FILE.tar.gz|FILE.zip`: one reproducible file from a bundle.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack a bundle into one reproducible .tar.gz or .zip file.",
        discussion: """
            Entries are sorted and carry fixed times, owners and modes, so packing the same bundle \
            twice gives identical bytes. Links, FIFOs and devices inside the bundle are refused. \
            An existing output file is never replaced. The archive's extension (.tar.gz, .tgz, .zip) \
            picks the format.
            """
    )

    @OptionGroup var model: ModelArgument
    @OptionGroup var output: OutputOption
    @OptionGroup var registry: RegistryOptions

    func validate() throws {
        if ArchiveFormat(fileName: output.output) == nil {
            throw ValidationError("the output '\(output.output)' must end in .tar.gz, .tgz or .zip")
        }
    }

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            try BundleArchiver().pack(modelPath: try RegistryOptions.localPath(for: model.model), to: output.output)
        }
    }
}
