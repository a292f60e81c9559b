/// The `conda.yaml` of a bundle, as MLflow's `_mlflow_conda_env` writes it.
///
/// ```yaml
/// channels:
/// - conda-forge
/// dependencies:
/// - python=3.11.7
/// - pip<=23.2.1
/// - pip:
///   - mlflow==3.17.2
/// name: mlflow-env
/// ```
///
/// The text is exactly what PyYAML's `safe_dump` produces (keys sorted, block style). Parsing
/// keeps the data inert and refuses any other shape with `.environmentInvalid`.
package struct CondaEnvironment: Sendable, Equatable {
    /// The file's name inside a bundle.
    public static let fileName = "conda.yaml"

    /// The environment's name (`mlflow-env` for MLflow-written files).
    public var name: String?
    /// Conda channels, in order.
    public var channels: [String]
    /// The conda (non-pip) dependencies, in order, e.g. `python=3.11.7`, `pip<=23.2.1`.
    public var condaDependencies: [String]
    /// The `- pip:` list, or `nil` when the file has none.
    public var pipDependencies: [String]?

    /// Holds the given parts as they are.
    public init(name: String?, channels: [String], condaDependencies: [String], pipDependencies: [String]?) {
        self.name = name
        self.channels = channels
        self.condaDependencies = condaDependencies
        self.pipDependencies = pipDependencies
    }

    /// The environment MLflow writes for `pipRequirements` (already processed, see
    /// ``RequirementsFile``): channel `conda-forge`, `python=<pythonVersion>`, then
    /// `pip<=<pipVersion>` (bare `pip` when the version is unknown) only when there are pip
    /// requirements, then the `- pip:` list (always present, as in MLflow).
    public init(pythonVersion: String, pipVersion: String?, pipRequirements: [String]) {
        var conda = ["python=\(pythonVersion)"]
        if !pipRequirements.isEmpty {
            conda.append(pipVersion.map { "pip<=\($0)" } ?? "pip")
        }
        self.init(
            name: "mlflow-env",
            channels: ["conda-forge"],
            condaDependencies: conda,
            pipDependencies: pipRequirements
        )
    }

    /// The file's exact text.
    ///
    /// - Throws: `.environmentInvalid` when an entry holds a line break or control character,
    ///   which MLflow's files never contain and this writer does not quote.
    public func text() throws(ModelBundleError) -> String {
        try checkWritable()
        // safe_dump sorts keys: channels, dependencies, name.
        var out = PythonYAMLText()
        out.writeKey("channels", indent: 0)
        for channel in channels { out.writeItem(channel, indent: 0) }
        out.writeKey("dependencies", indent: 0)
        for dependency in condaDependencies { out.writeItem(dependency, indent: 0) }
        if let pipDependencies {
            if pipDependencies.isEmpty {
                out.writeItemKeyEmptyList("pip", indent: 0)
            } else {
                out.writeItemKey("pip", indent: 0)
                for dependency in pipDependencies { out.writeItem(dependency, indent: 2) }
            }
        }
        if let name { out.writeKeyValue("name", name, indent: 0) }
        return out.text
    }

    /// Parses a `conda.yaml`.
    ///
    /// Accepted shape: a mapping with optional `name` (text), `channels` (list of text) and
    /// `dependencies` (list whose entries are text or a one-key mapping `pip:` → list of text).
    /// Other top-level keys (`prefix`, `variables`) are tolerated and ignored.
    public init(parsing bytes: [UInt8]) throws(ModelBundleError) {
        let file = Self.fileName
        let root = try EnvironmentYAML.mapping(EnvironmentYAML.parse(bytes, fileName: file), fileName: file)
        var name: String?
        var channels: [String] = []
        var conda: [String] = []
        var pip: [String]?
        for pair in root {
            let (key, value) = (pair.key, pair.value)
            switch key {
            case "name":
                name = try EnvironmentYAML.string(value, fileName: file, field: "name")
            case "channels":
                channels = try EnvironmentYAML.strings(value, fileName: file, field: "channels")
            case "dependencies":
                guard case .sequence(let entries) = value else {
                    throw ModelBundleError(
                        .environmentInvalid,
                        "\(file) field 'dependencies' must be a list",
                        item: "\(file):dependencies"
                    )
                }
                for (index, entry) in entries.enumerated() {
                    let field = "dependencies[\(index)]"
                    switch entry {
                    case .scalar(let text):
                        conda.append(text)
                    case .mapping(let pairs) where pairs.count == 1 && pairs[0].key == "pip" && pip == nil:
                        pip = try EnvironmentYAML.strings(pairs[0].value, fileName: file, field: field + ".pip")
                    default:
                        throw ModelBundleError(
                            .environmentInvalid,
                            "\(file) field '\(field)' must be text or a single 'pip:' list",
                            item: "\(file):\(field)"
                        )
                    }
                }
            default:
                continue
            }
        }
        self.init(name: name, channels: channels, condaDependencies: conda, pipDependencies: pip)
    }

    /// The Python version pinned by a `python=`, `python==`, `python<=` or `python>=` entry,
    /// as MLflow's `_PythonEnv.get_dependencies_from_conda_yaml` reads it.
    public var pythonVersion: String? {
        for dependency in condaDependencies {
            for prefix in ["python==", "python<=", "python>=", "python="] where dependency.hasPrefix(prefix) {
                let version = dependency.dropFirst(prefix.count)
                if !version.isEmpty, version.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
                    return String(version)
                }
            }
        }
        return nil
    }

    private func checkWritable() throws(ModelBundleError) {
        let entries = [name].compactMap { $0 } + channels + condaDependencies + (pipDependencies ?? [])
        for entry in entries
        where entry.isEmpty || entry.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ModelBundleError(
                .environmentInvalid,
                "a \(Self.fileName) entry is empty or holds a line break or control character",
                item: Self.fileName
            )
        }
    }
}
