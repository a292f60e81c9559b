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

    @Argument(help: "The bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    @Flag(help: "Print a stable JSON document instead of text.")
    var json = false

    func run() throws {
        let (summary, steps) = try reportingErrors { () throws(ModelBundleError) in
            let opened = try OpenedModel(model)
            var summary = try BundleSummary(opened.bundle)
            summary.path = model
            return (summary, PreprocessingDescription.lines(for: opened.bundle))
        }
        guard let steps else {
            StandardOutput.write(json ? summary.jsonText : summary.text)
            return
        }
        // The preprocessing stage's steps (issue #13), after the bundle summary.
        if json, case .object(var document) = summary.json {
            document["preprocessing"] = .array(steps.map(JSONValue.string))
            StandardOutput.write(JSONWriter(indent: 2, ensureASCII: false).string(.object(document)) + "\n")
        } else {
            StandardOutput.write(summary.text + "preprocessing:\n" + steps.map { "  \($0)\n" }.joined())
        }
    }
}
