/// The `python_env.yaml` of a bundle, as MLflow's `_PythonEnv.to_yaml` writes it.
///
/// ```yaml
/// python: 3.11.7
/// build_dependencies:
/// - pip==23.2.1
/// - setuptools==65.5.0
/// - wheel
/// dependencies:
/// - -r requirements.txt
/// ```
///
/// Keys in this fixed order (`sort_keys=False`); empty entries are left out.
package struct PythonEnvironment: Sendable, Equatable {
    /// The file's name inside a bundle.
    public static let fileName = "python_env.yaml"

    /// The Python version, e.g. `3.11.7` (kept as text: `3.10` is not `3.1`).
    public var python: String
    /// Packages installed before `dependencies`: `pip==…`, `setuptools==…`, `wheel`.
    public var buildDependencies: [String]
    /// The pip dependencies, normally `-r requirements.txt`.
    public var dependencies: [String]

    /// Holds the given parts as they are.
    public init(python: String, buildDependencies: [String], dependencies: [String]) {
        self.python = python
        self.buildDependencies = buildDependencies
        self.dependencies = dependencies
    }

    /// The environment MLflow writes: `pip`, `setuptools` and `wheel` pinned with `==` when their
    /// versions are known and bare otherwise, and `-r requirements.txt` as the dependencies.
    public init(python: String, pipVersion: String?, setuptoolsVersion: String?, wheelVersion: String?) {
        let build = [("pip", pipVersion), ("setuptools", setuptoolsVersion), ("wheel", wheelVersion)].map {
            package,
            version in
            version.map { "\(package)==\($0)" } ?? package
        }
        self.init(python: python, buildDependencies: build, dependencies: ["-r \(RequirementsFile.fileName)"])
    }

    /// The file's exact text.
    ///
    /// - Throws: `.environmentInvalid` when an entry holds a line break or control character.
    public func text() throws(ModelBundleError) -> String {
        for entry in [python] + buildDependencies + dependencies
        where entry.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ModelBundleError(
                .environmentInvalid,
                "a \(Self.fileName) entry holds a line break or control character",
                item: Self.fileName
            )
        }
        var out = PythonYAMLText()
        if !python.isEmpty { out.writeKeyValue("python", python, indent: 0) }
        if !buildDependencies.isEmpty {
            out.writeKey("build_dependencies", indent: 0)
            for dependency in buildDependencies { out.writeItem(dependency, indent: 0) }
        }
        if !dependencies.isEmpty {
            out.writeKey("dependencies", indent: 0)
            for dependency in dependencies { out.writeItem(dependency, indent: 0) }
        }
        return out.text
    }

    /// Parses a `python_env.yaml`: a mapping with text `python` (required), and optional lists of
    /// text `build_dependencies` and `dependencies`. Any other key is refused, because MLflow's
    /// `_PythonEnv.from_dict` refuses it too.
    public init(parsing bytes: [UInt8]) throws(ModelBundleError) {
        let file = Self.fileName
        let root = try EnvironmentYAML.mapping(EnvironmentYAML.parse(bytes, fileName: file), fileName: file)
        var python: String?
        var build: [String] = []
        var dependencies: [String] = []
        for pair in root {
            let (key, value) = (pair.key, pair.value)
            switch key {
            case "python":
                python = try EnvironmentYAML.string(value, fileName: file, field: key)
            case "build_dependencies":
                build = try EnvironmentYAML.strings(value, fileName: file, field: key)
            case "dependencies":
                dependencies = try EnvironmentYAML.strings(value, fileName: file, field: key)
            default:
                throw ModelBundleError(
                    .environmentInvalid,
                    "\(file) has the unknown field '\(key)'; only python, build_dependencies and dependencies are allowed",
                    item: "\(file):\(key)"
                )
            }
        }
        guard let python, !python.isEmpty else {
            throw ModelBundleError(
                .environmentInvalid,
                "\(file) does not give a python version",
                item: "\(file):python"
            )
        }
        self.init(python: python, buildDependencies: build, dependencies: dependencies)
    }
}
