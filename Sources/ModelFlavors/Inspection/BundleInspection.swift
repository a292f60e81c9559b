public import ModelBundle
import ModelBundleArchive
public import ModelRuntime

/// What `mbundle inspect` prints: the bundle summary, each flavor described by the registry's flavor
/// of that name, plus what the built-in flavors add about themselves (today the preprocessing stage's
/// steps), read with the same allowlisted readers as `predict`, so nothing is executed.
public struct BundleInspection: Sendable {
    public var summary: BundleSummary
    /// The preprocessing stage's steps, one line each, or nil when the bundle has none.
    public var preprocessingSteps: [String]?

    /// Inspects the bundle at `modelPath` (a directory, or a `.tar.gz`/`.zip` of one), its flavors
    /// described by `registry`'s.
    public init(modelPath: String, registry: FlavorRegistry = .builtIn) throws(ModelBundleError) {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        (summary, preprocessingSteps) = try withExtendedLifetime(extracted) {
            () throws(ModelBundleError) -> (BundleSummary, [String]?) in
            let bundle = try BundleReader(path: extracted.directory.path).read()
            return (
                registry.describingFlavors(of: try BundleSummary(bundle)), PreprocessingDescription.lines(for: bundle)
            )
        }
        summary.path = modelPath
    }

    /// The human-readable form.
    public var text: String {
        guard let steps = preprocessingSteps else { return summary.text }
        return summary.text + "preprocessing:\n" + steps.map { "  \($0)\n" }.joined()
    }

    /// The stable JSON form: the summary's document, with `preprocessing` when there is a stage.
    public var jsonText: String {
        guard let steps = preprocessingSteps, case .object(var document) = summary.json else { return summary.jsonText }
        document["preprocessing"] = .array(steps.map(JSONValue.string))
        return JSONWriter(indent: 2, ensureASCII: false).string(.object(document)) + "\n"
    }
}
