import ArgumentParser
import ModelBundle
import ModelBundleArchive

/// `mbundle inspect MODEL [--json]`: what a bundle holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a bundle's flavors, signature, example, environment, size and checksums."
    )

    @OptionGroup var model: ModelArgument

    @Flag(help: "Print a stable JSON document instead of text.")
    var json = false

    func run() throws {
        let summary = try reportingErrors { () throws(ModelBundleError) in try BundleSummary(modelPath: model.model) }
        StandardOutput.write(json ? summary.jsonText : summary.text)
    }
}
