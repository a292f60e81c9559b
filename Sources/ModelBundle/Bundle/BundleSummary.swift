/// What `mbundle inspect` shows about a bundle, gathered once and rendered as text or JSON.
public struct BundleSummary: Sendable {
    /// One flavor and a one-line description of it.
    public struct Flavor: Sendable {
        public var name: String
        public var summary: String
    }

    public var path: String
    public var flavors: [Flavor]
    public var manifest: ModelManifest
    public var fileCount: Int
    public var totalBytes: Int
    public var requirements: [String]
    public var checksums: ChecksumState

    /// Gathers the summary of a validated bundle.
    public init(_ bundle: OpenedBundle) throws(ModelBundleError) {
        let manifest = bundle.manifest
        self.path = bundle.directory.path
        self.manifest = manifest
        self.checksums = bundle.checksums
        self.flavors = manifest.flavorNames.map { name in
            Flavor(name: name, summary: Self.describeFlavor(name, manifest.flavor(name) ?? ManifestMap()))
        }
        let listing = try bundle.directory.listFiles()
        self.fileCount = listing.files.count
        var total = 0
        for file in listing.files { total += (try? bundle.directory.size(of: file)) ?? 0 }
        self.totalBytes = total
        self.requirements = []
        if let requirementsPath = try? BundlePath("requirements.txt"),
            let bytes = try? bundle.directory.read(requirementsPath, limit: 1 << 20)
        {
            requirements = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        }
    }

    /// Human-readable text, one fact per line.
    public var text: String {
        var lines: [String] = ["bundle: \(path)"]
        lines.append("flavors:")
        for flavor in flavors { lines.append("  \(flavor.name): \(flavor.summary)") }
        if let version = manifest.mlflowVersion { lines.append("mlflow version: \(version)") }
        if let created = manifest.utcTimeCreated { lines.append("created (UTC): \(created)") }
        if let uuid = manifest.modelUUID { lines.append("model uuid: \(uuid)") }
        if let runID = manifest.runID { lines.append("run id: \(runID)") }
        var size = "size: \(fileCount) files, \(totalBytes) bytes"
        if let payload = manifest.modelSizeBytes { size += " (model_size_bytes \(payload))" }
        lines.append(size)
        lines.append(contentsOf: signatureLines)
        if let info = manifest.savedInputExampleFields {
            let fields = Dictionary(info, uniquingKeysWith: { first, _ in first })
            var example = "input example: \(fields["artifact_path"] ?? "?")"
            if let type = fields["type"] { example += " (\(type)\(fields["pandas_orient"].map { ", \($0) orient" } ?? ""))" }
            if let serving = fields["serving_input_path"] { example += "; serving example: \(serving)" }
            lines.append(example)
        } else {
            lines.append("input example: none")
        }
        lines.append("environment:")
        lines.append("  python: \(manifest.pythonFunction?.pythonVersion ?? "not recorded")")
        lines.append("  requirements: \(requirements.isEmpty ? "none recorded" : requirements.joined(separator: ", "))")
        switch checksums {
        case .absent: lines.append("checksums: none (\(ChecksumManifest.fileName) absent)")
        case .verified(let count): lines.append("checksums: verified, \(count) files match")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var signatureLines: [String] {
        guard let block = manifest.signatureBlock else { return ["signature: none"] }
        var lines = ["signature:"]
        for (label, json) in [("inputs", block.inputs), ("outputs", block.outputs), ("params", block.params)] {
            lines.append("  \(label): \(json ?? "none")")
        }
        return lines
    }

    static func describeFlavor(_ name: String, _ configuration: ManifestMap) -> String {
        switch name {
        case PythonFunctionFlavor.name:
            let flavor = PythonFunctionFlavor(configuration: configuration)
            var parts = ["loader \(flavor.loaderModule ?? "?") (recorded, never executed)"]
            parts.append("predict_fn \(flavor.predictFunction)")
            if let version = flavor.pythonVersion { parts.append("python \(version)") }
            return parts.joined(separator: ", ")
        case SklearnFlavor.name:
            let flavor = SklearnFlavor(configuration: configuration)
            var parts = ["\(flavor.pickledModel ?? "?") (\(flavor.serializationFormat))"]
            if let version = flavor.sklearnVersion { parts.append("scikit-learn \(version)") }
            return parts.joined(separator: ", ")
        default:
            let keys = configuration.keys.map { key in
                configuration[key]?.text.map { "\(key) \($0)" } ?? key
            }
            return keys.joined(separator: ", ")
        }
    }
}
