public import ModelBundle

/// Writes a ``LinearModelPackage`` as a complete bundle (DESIGN.md §2) through ``BundleWriter``:
/// all-or-nothing, with checksums, a `python_function` flavor that real MLflow loads with the
/// pure-numpy ``PythonLoaderSource``, the native flavor, and MLflow's three environment files.
public struct LinearModelPackager: Sendable {
    /// The version recorded in `metadata.mbundle_version`.
    public static let currentVersion = ModelBundleVersion.current

    /// `metadata.mbundle_version`.
    public var mbundleVersion: String
    /// `mlflow_version` and the first line of `requirements.txt`: the MLflow the bundles are tested with.
    public var mlflowVersion: String
    /// `python_version` of the `python_function` flavor and the environment files.
    public var pythonVersion: String
    /// The loader's only requirement beside MLflow (which brings PyYAML and pandas).
    public var requirements: [String]
    /// Build tools pinned in `python_env.yaml` and `conda.yaml` (`nil` writes the bare name), as the
    /// MLflow-written fixtures have them.
    public var pipVersion: String?
    public var setuptoolsVersion: String?
    public var wheelVersion: String?

    public init(
        mbundleVersion: String = LinearModelPackager.currentVersion,
        mlflowVersion: String = "3.17.2",
        pythonVersion: String = "3.11.7",
        requirements: [String] = ["numpy==2.4.6"],
        pipVersion: String? = "23.2.1",
        setuptoolsVersion: String? = "65.5.0",
        wheelVersion: String? = nil
    ) {
        self.mbundleVersion = mbundleVersion
        self.mlflowVersion = mlflowVersion
        self.pythonVersion = pythonVersion
        self.requirements = requirements
        self.pipVersion = pipVersion
        self.setuptoolsVersion = setuptoolsVersion
        self.wheelVersion = wheelVersion
    }

    /// Checks `package` and writes it to `destination`, which must not exist or be an empty directory.
    ///
    /// - Returns: the manifest as written.
    /// - Throws: the errors of ``LinearModelPackage/checked()``, `targetExists` for a non-empty
    ///   destination (left untouched), `ioFailure` when the disk refuses.
    @discardableResult
    public func write(_ package: LinearModelPackage, to destination: String) throws(ModelBundleError) -> ModelManifest {
        let checked = try package.checked()
        let (manifest, files) = try contents(of: checked)
        return try BundleWriter(destination: destination).write(manifest: manifest, files: files)
    }

    /// The manifest and files of a checked package, before the writer adds sizes and checksums.
    func contents(of package: LinearModelPackage) throws(ModelBundleError) -> (ModelManifest, [BundleFile]) {
        let weightsFile = LinearModelFlavorConfiguration.defaultWeightsFile
        let pythonFunction = PythonFunctionFlavor(
            loaderModule: PythonLoaderSource.moduleName,
            data: weightsFile,
            code: PythonLoaderSource.codeDirectory,
            pythonVersion: pythonVersion
        )
        var manifest = ModelManifest(flavors: [
            (package.kind.rawValue, package.flavorConfiguration.manifestMap),
            (PythonFunctionFlavor.name, pythonFunction.configuration),
        ])
        manifest.mlflowVersion = mlflowVersion
        manifest.metadata = ManifestMap([("mbundle_version", .string(mbundleVersion))])
        manifest.setSignature(package.signature)

        var files: [BundleFile] = [
            BundleFile(
                try BundlePath(weightsFile),
                bytes: try SafeTensorsWriter.encode([package.coef, package.intercept])
            ),
            BundleFile(try BundlePath(PythonLoaderSource.path), text: PythonLoaderSource.text),
        ]
        let environment = try EnvironmentManifests(
            requirements: requirements,
            mlflowVersion: mlflowVersion,
            pythonVersion: pythonVersion,
            pipVersion: pipVersion,
            setuptoolsVersion: setuptoolsVersion,
            wheelVersion: wheelVersion
        )
        for (name, text) in try environment.files() {
            files.append(BundleFile(try BundlePath(name), text: text))
        }
        if let example = package.example {
            let info = example.info
            manifest.setSavedInputExampleInfo(info)
            files.append(BundleFile(try BundlePath(info.artifactPath), bytes: example.inputExampleBytes))
            if let serving = example.servingInputExampleBytes, let path = info.servingInputPath {
                files.append(BundleFile(try BundlePath(path), bytes: serving))
            }
        }
        return (manifest, files)
    }
}
