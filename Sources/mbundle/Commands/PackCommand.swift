import ArgumentParser
import ModelBundle
import ModelBundleArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `mbundle pack MODEL -o FILE.tar.gz|FILE.zip`: one reproducible file from a bundle.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack a bundle into one reproducible .tar.gz or .zip file.",
        discussion: """
            Entries are sorted and carry fixed times, owners and modes, so packing the same bundle \
            twice gives identical bytes. Links, FIFOs and devices inside the bundle are refused. \
            An existing output file is never replaced.
            """
    )

    @Argument(help: "The bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    @Option(name: .shortAndLong, help: "The archive to create; its extension (.tar.gz, .tgz, .zip) picks the format.")
    var output: String

    func validate() throws {
        if ArchiveFormat(fileName: output) == nil {
            throw ValidationError("the output '\(output)' must end in .tar.gz, .tgz or .zip")
        }
    }

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            let bundle = try ExtractedBundle.open(modelPath: try RegistryOptions.localPath(for: model))
            try BundleArchiver().pack(bundleAt: bundle.directory.path, to: output)
        }
    }
}
