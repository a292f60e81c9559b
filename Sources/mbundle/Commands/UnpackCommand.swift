import ArgumentParser
import ModelBundle
import ModelBundleArchive

/// `mbundle unpack FILE -o DIR`: a safe, all-or-nothing unpack of a bundle archive.
struct UnpackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Unpack a .tar.gz or .zip bundle into a new directory.",
        discussion: """
            Only regular files and directories with safe names are accepted, within limits on \
            entry count, size, compression ratio and time. Nothing appears at DIR unless the whole \
            archive unpacked and its checksums.sha256 (when present) matched; a non-empty DIR is \
            never touched.
            """
    )

    @Argument(help: "The archive (.tar.gz or .zip; the format is recognised from its content).")
    var file: String

    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            try BundleUnpacker().unpack(archiveAt: file, to: output.output)
        }
    }
}
