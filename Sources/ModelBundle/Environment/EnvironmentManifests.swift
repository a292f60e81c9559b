/// The three Python environment files MLflow users expect beside a model: `requirements.txt`,
/// `conda.yaml` and `python_env.yaml` (spec §5).
///
/// Generated from one list of pinned requirements so the three always agree; read back as inert
/// data (nothing in them is ever installed, fetched or run by ModelBundle).
package struct EnvironmentManifests: Sendable, Equatable {
    /// `requirements.txt`, when present.
    public var requirements: RequirementsFile?
    /// `conda.yaml` (or whatever the `env.conda` entry names), when present.
    public var conda: CondaEnvironment?
    /// `python_env.yaml` (or whatever the `env.virtualenv` entry names), when present.
    public var python: PythonEnvironment?

    /// Holds the given files.
    public init(requirements: RequirementsFile?, conda: CondaEnvironment?, python: PythonEnvironment?) {
        self.requirements = requirements
        self.conda = conda
        self.python = python
    }

    /// The files MLflow would write for these inputs.
    ///
    /// - Parameters:
    ///   - requirements: pinned pip requirements (`numpy==2.4.6`, …), optionally `-c constraints.txt`.
    ///   - mlflowVersion: the MLflow version pinned first unless `requirements` already names MLflow.
    ///   - pythonVersion: the full Python version, e.g. `3.11.7`.
    ///   - pipVersion, setuptoolsVersion, wheelVersion: the build tools' versions; `nil` writes
    ///     the bare name, as MLflow does when the package is not installed.
    public init(
        requirements: [String],
        mlflowVersion: String,
        pythonVersion: String,
        pipVersion: String?,
        setuptoolsVersion: String?,
        wheelVersion: String?
    ) throws(ModelBundleError) {
        let file = try RequirementsFile(requirements: requirements, mlflowVersion: mlflowVersion)
        self.init(
            requirements: file,
            conda: CondaEnvironment(pythonVersion: pythonVersion, pipVersion: pipVersion, pipRequirements: file.lines),
            python: PythonEnvironment(
                python: pythonVersion,
                pipVersion: pipVersion,
                setuptoolsVersion: setuptoolsVersion,
                wheelVersion: wheelVersion
            )
        )
    }

    /// Reads the files of a bundle. `requirements.txt` is read when it exists; `conda` and
    /// `virtualenv` are the paths the `MLmodel` names (`env.conda`, `env.virtualenv`, or the
    /// legacy string `env`) and must exist when given.
    public init(
        reading directory: BundleDirectory,
        conda: BundlePath?,
        virtualenv: BundlePath?
    ) throws(ModelBundleError) {
        let requirementsPath = try BundlePath(RequirementsFile.fileName)
        var requirements: RequirementsFile?
        if directory.containsFile(requirementsPath) {
            requirements = try RequirementsFile(
                parsing: directory.read(requirementsPath, limit: RequirementsFile.maximumSize)
            )
        }
        var condaFile: CondaEnvironment?
        if let conda {
            condaFile = try CondaEnvironment(
                parsing: directory.read(
                    conda,
                    limit: EnvironmentYAML.maximumSize,
                    field: "flavors.python_function.env.conda"
                )
            )
        }
        var pythonFile: PythonEnvironment?
        if let virtualenv {
            pythonFile = try PythonEnvironment(
                parsing: directory.read(
                    virtualenv,
                    limit: EnvironmentYAML.maximumSize,
                    field: "flavors.python_function.env.virtualenv"
                )
            )
        }
        self.init(requirements: requirements, conda: condaFile, python: pythonFile)
    }

    /// The files to write, by name, with their exact text.
    public func files() throws(ModelBundleError) -> [(name: String, text: String)] {
        var result: [(name: String, text: String)] = []
        if let requirements { result.append((RequirementsFile.fileName, requirements.text)) }
        if let conda { result.append((CondaEnvironment.fileName, try conda.text())) }
        if let python { result.append((PythonEnvironment.fileName, try python.text())) }
        return result
    }
}
