/// What `mbundle inspect` shows about a bundle, gathered once and rendered as text for people or
/// as a stable JSON document for scripts (its keys are documented in the README).
public struct BundleSummary: Sendable {
    /// The bundle's location as given.
    public var path: String
    /// The parsed manifest.
    public var manifest: ModelManifest
    /// The parsed signature, if any.
    public var signature: ModelSignature?
    /// The input example's description, if any.
    public var inputExample: SavedInputExampleInfo?
    /// The recorded requirements (`requirements.txt`), empty when absent.
    public var requirements: [String]
    /// How many regular files the bundle holds, and their total size.
    public var fileCount: Int
    public var totalBytes: Int
    /// The checksum check's outcome.
    public var checksums: ChecksumState
    /// One line per flavor of the manifest, keyed by its name: by default the configuration's scalar
    /// entries; a flavor registry replaces them with what each flavor says about itself.
    public var flavorDescriptions: [String: String]

    /// Gathers the summary of a validated bundle.
    public init(_ bundle: OpenedBundle) throws(ModelBundleError) {
        path = bundle.directory.path
        manifest = bundle.manifest
        checksums = bundle.checksums
        var descriptions: [String: String] = [:]
        for name in manifest.flavorNames where descriptions[name] == nil {
            descriptions[name] = Self.describeConfiguration(manifest.flavor(name) ?? ManifestMap())
        }
        flavorDescriptions = descriptions
        signature = try manifest.signature()
        inputExample = try manifest.savedInputExampleInfo()
        let listing = try bundle.directory.listFiles()
        fileCount = listing.files.count
        var total = 0
        for file in listing.files { total += try bundle.directory.size(of: file) }
        totalBytes = total
        requirements = []
        let requirementsPath = try BundlePath(RequirementsFile.fileName)
        if bundle.directory.containsFile(requirementsPath) {
            let bytes = try bundle.directory.read(requirementsPath, limit: RequirementsFile.maximumSize)
            requirements = try RequirementsFile(parsing: bytes).lines
        }
    }

    // MARK: - Text

    /// Human-readable text: one fact per line, the signature as tables.
    public var text: String {
        var lines: [String] = ["bundle: \(path)", "flavors:"]
        for name in manifest.flavorNames {
            lines.append("  \(name): \(flavorDescriptions[name] ?? "")")
        }
        if let version = manifest.mlflowVersion { lines.append("mlflow version: \(version)") }
        if let created = manifest.utcTimeCreated { lines.append("created (UTC): \(created)") }
        if let uuid = manifest.modelUUID { lines.append("model uuid: \(uuid)") }
        if let runID = manifest.runID { lines.append("run id: \(runID)") }
        var size = "size: \(fileCount) files, \(totalBytes) bytes"
        if let payload = manifest.modelSizeBytes { size += " (model_size_bytes \(payload))" }
        lines.append(size)
        lines.append(contentsOf: signatureText)
        if let example = inputExample {
            var line = "input example: \(example.artifactPath) (\(example.type)"
            if let orient = example.pandasOrient { line += ", \(orient) orient" }
            if example.hasParams { line += ", with params" }
            line += ")"
            if let serving = example.servingInputPath { line += "; serving example: \(serving)" }
            lines.append(line)
        } else {
            lines.append("input example: none")
        }
        lines.append("environment:")
        lines.append("  python: \(manifest.pythonFunction?.pythonVersion ?? "not recorded")")
        lines.append("  requirements: \(requirements.isEmpty ? "none recorded" : requirements.joined(separator: ", "))")
        switch checksums {
        case .absent: lines.append("checksums: none (no \(ChecksumManifest.fileName))")
        case .verified(let count): lines.append("checksums: verified, \(count) files match")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var signatureText: [String] {
        guard let signature else { return ["signature: none"] }
        var lines = ["signature:"]
        for (label, schema) in [("inputs", signature.inputs), ("outputs", signature.outputs)] {
            guard let schema else {
                lines.append("  \(label): none")
                continue
            }
            lines.append("  \(label) (\(schema.isTensorBased ? "tensors" : "columns")):")
            let rows = schema.rows.map { [$0.name, $0.type, $0.required ? "required" : "optional"] }
            lines.append(contentsOf: Self.table(header: ["name", "type", "presence"], rows: rows).map { "    " + $0 })
        }
        if let params = signature.params {
            lines.append("  params:")
            let rows = params.params.map { param in
                [
                    param.name, param.type.displayName, JSONWriter().string(param.defaultValue),
                    param.shape.map { "(\($0.map(String.init).joined(separator: ", ")),)" } ?? "scalar",
                ]
            }
            lines.append(
                contentsOf: Self.table(header: ["name", "type", "default", "shape"], rows: rows).map { "    " + $0 }
            )
        } else {
            lines.append("  params: none")
        }
        return lines
    }

    /// Left-aligned columns separated by two spaces.
    static func table(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return all.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                let isLast = index == row.count - 1
                line += isLast ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            return line
        }
    }

    /// The default description of a flavor's configuration: its entries, each scalar with its value,
    /// and a short list of scalars (a classifier's `classes`) as the JSON PyYAML's reading gives, so
    /// the labels' type shows: `[0, 1]`, `[false, true]`, `["cat", "dog"]`.
    package static func describeConfiguration(_ configuration: ManifestMap) -> String {
        configuration.keys.map { key in
            guard let value = configuration[key] else { return key }
            if let text = value.text { return "\(key) \(text)" }
            if let list = value.list, list.count <= 16,
                list.allSatisfy({ if case .scalar = $0 { true } else { false } })
            {
                return "\(key) \(JSONWriter(ensureASCII: false).string(value.jsonValue))"
            }
            return key
        }
        .joined(separator: ", ")
    }

    // MARK: - JSON

    /// The stable JSON document of `mbundle inspect --json` (indented, ending with a newline).
    public var jsonText: String {
        JSONWriter(indent: 2, ensureASCII: false).string(json) + "\n"
    }

    /// The JSON document's value.
    public var json: JSONValue {
        var checksumsJSON: [(String, JSONValue)]
        switch checksums {
        case .absent: checksumsJSON = [("state", .string("absent")), ("files", .null)]
        case .verified(let count): checksumsJSON = [("state", .string("verified")), ("files", .integer(Int64(count)))]
        }
        let flavors: [JSONValue] = manifest.flavorNames.map { name in
            let configuration = manifest.flavor(name) ?? ManifestMap()
            return .object([
                ("name", .string(name)), ("summary", .string(flavorDescriptions[name] ?? "")),
                ("configuration", ManifestValue.map(configuration).jsonValue),
            ])
        }
        let environment: [(String, JSONValue)] = [
            ("python_version", manifest.pythonFunction?.pythonVersion.map(JSONValue.string) ?? .null),
            ("requirements", .array(requirements.map(JSONValue.string))),
        ]
        return .object([
            ("path", .string(path)),
            ("flavors", .array(flavors)),
            ("mlflow_version", manifest.mlflowVersion.map(JSONValue.string) ?? .null),
            ("utc_time_created", manifest.utcTimeCreated.map(JSONValue.string) ?? .null),
            ("model_uuid", manifest.modelUUID.map(JSONValue.string) ?? .null),
            ("model_id", manifest.modelID.map(JSONValue.string) ?? .null),
            ("run_id", manifest.runID.map(JSONValue.string) ?? .null),
            (
                "size",
                .object([
                    ("files", .integer(Int64(fileCount))), ("bytes", .integer(Int64(totalBytes))),
                    ("model_size_bytes", manifest.modelSizeBytes.map { JSONValue.integer(Int64($0)) } ?? .null),
                ])
            ),
            ("signature", signatureJSON),
            ("input_example", inputExample.map { .object($0.fields.map { ($0.0, JSONValue.string($0.1)) }) } ?? .null),
            ("environment", .object(environment)),
            ("checksums", .object(checksumsJSON)),
        ])
    }

    private var signatureJSON: JSONValue {
        guard let signature else { return .null }
        func schema(_ schema: Schema?) -> JSONValue {
            guard let schema else { return .null }
            return .array(
                schema.rows.map {
                    .object([("name", .string($0.name)), ("type", .string($0.type)), ("required", .bool($0.required))])
                }
            )
        }
        return .object([
            ("inputs", schema(signature.inputs)),
            ("outputs", schema(signature.outputs)),
            ("params", signature.params?.json ?? .null),
            ("inputs_json", signature.inputsJSON.map(JSONValue.string) ?? .null),
            ("outputs_json", signature.outputsJSON.map(JSONValue.string) ?? .null),
            ("params_json", signature.paramsJSON.map(JSONValue.string) ?? .null),
        ])
    }
}

extension ManifestValue {
    /// The value as JSON, typing plain scalars as PyYAML (and so MLflow) reads them.
    public var jsonValue: JSONValue {
        switch self {
        case .scalar(let text, let isPlain):
            guard isPlain else { return .string(text) }
            if YAMLScalarRules.isNull(text) { return .null }
            if let bool = YAMLScalarRules.bool(text) { return .bool(bool) }
            if let int = YAMLScalarRules.int(text) { return .integer(Int64(int)) }
            if YAMLScalarRules.isFloat(text), let double = Double(text.filter { $0 != "_" }) { return .double(double) }
            return .string(text)
        case .list(let list):
            return .array(list.map(\.jsonValue))
        case .map(let map):
            return .object(map.entries.map { ($0.key, $0.value.jsonValue) })
        }
    }
}
