import ArgumentParser
import ModelBundle

/// `mbundle _rewrite-manifest IN OUT`: reads an `MLmodel` with the manifest layer and writes it
/// back. Hidden; the interop script uses it to check with real MLflow that nothing is lost.
struct RewriteManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_rewrite-manifest",
        abstract: "Read an MLmodel file and write it back (for interoperability checks).",
        shouldDisplay: false
    )

    @Argument(help: "The MLmodel file to read.")
    var input: String

    @Argument(help: "Where to write it back (must not exist).")
    var output: String

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in try ModelManifest.rewrite(from: input, to: output) }
    }
}
