import ArgumentParser
import ModelBundle
import ModelBundleArchive

/// `mbundle inspect MODEL [--json]`: what a bundle holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a bundle's flavors, signature, example, environment, size and checksums."
    )

    @Argument(help: "The bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    @Flag(help: "Print a stable JSON document instead of text.")
    var json = false

    func run() throws {
        let summary = try reportingErrors { () throws(ModelBundleError) in
            let opened = try OpenedModel(model)
            var summary = try BundleSummary(opened.bundle)
            summary.path = model
            return summary
        }
        StandardOutput.write(json ? summary.jsonText : summary.text)
    }
}
