import ArgumentParser
import ModelBundle
import ModelBundleArchive
import ModelFlavors

/// `mbundle inspect MODEL [--json]`: what a bundle holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a bundle's flavors, signature, example, environment, size and checksums."
    )

    @OptionGroup var model: ModelArgument

    @Flag(help: "Print a stable JSON document instead of text.")
    var json = false

    @OptionGroup var registry: RegistryOptions

    func run() throws {
        let inspection = try reportingErrors { () throws(ModelBundleError) in
            try BundleInspection(modelPath: try RegistryOptions.localPath(for: model.model))
        }
        StandardOutput.write(json ? inspection.jsonText : inspection.text)
    }
}
