import ArgumentParser
import ModelBundle

/// `mbundle inspect MODEL [--json]`: what a bundle holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a bundle's flavors, signature, example, environment, size and checksums."
    )

    @Argument(help: "The bundle directory.")
    var model: String

    @Flag(help: "Print a stable JSON document instead of text.")
    var json = false

    func run() throws {
        let summary = try reportingErrors { () throws(ModelBundleError) in
            try BundleSummary(try BundleReader(path: model).read())
        }
        StandardOutput.write(json ? summary.jsonText : summary.text)
    }
}
