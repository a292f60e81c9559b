package import ModelBundle

/// Writes tree ensembles as native bundles (DESIGN.md §2): `model.safetensors` with the arrays,
/// the `tree_ensemble` flavor, a `python_function` flavor whose `code/mbundle_tree_pyfunc.py` is the
/// pure-numpy tree evaluator (``TreeLoaderSource``), and MLflow's environment files. Used by
/// `mbundle convert` (XGBoost and LightGBM bundles) and `mbundle package tree-ensemble`.
package enum TreeEnsembleBundleWriter {
    /// The manifest and files of `package`, before the writer adds sizes and checksums.
    static func contents(
        of package: TreeEnsemblePackage,
        signature: ModelSignature?,
        example: InputExample?,
        packager: LinearModelPackager
    ) throws(ModelBundleError) -> (ModelManifest, [BundleFile]) {
        let weightsFile = TreeEnsembleFlavorConfiguration.defaultWeightsFile
        var configuration = package.configuration
        configuration.weights = weightsFile
        // The stage's statistics join the tree arrays in the one safetensors file.
        var (tensors, metadata) = try TreeEnsembleArrays.encode(package.ensemble.ensemble)
        var stageFiles: [BundleFile] = []
        if let stage = package.preprocessing {
            guard stage.outputWidth == package.ensemble.ensemble.featureCount else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "the trees take \(package.ensemble.ensemble.featureCount) features but the preprocessing stage "
                        + "produces \(stage.outputWidth)",
                    item: PreprocessingBundleFormat.fileName
                )
            }
            let (json, stageTensors) = try PreprocessingBundleFormat.encode(stage)
            tensors += stageTensors
            stageFiles.append(BundleFile(try BundlePath(PreprocessingBundleFormat.fileName), bytes: json))
            configuration.preprocessing = PreprocessingBundleFormat.fileName
        }
        let pythonFunction = PythonFunctionFlavor(
            loaderModule: TreeLoaderSource.moduleName,
            data: weightsFile,
            code: PythonLoaderSource.codeDirectory,
            pythonVersion: packager.pythonVersion
        )
        var manifest = ModelManifest(flavors: [
            (TreeEnsembleFlavorConfiguration.name, configuration.manifestMap),
            (PythonFunctionFlavor.name, pythonFunction.configuration),
        ])
        manifest.mlflowVersion = packager.mlflowVersion
        manifest.metadata = ManifestMap([("mbundle_version", .string(packager.mbundleVersion))])
        manifest.setSignature(signature)
        var files: [BundleFile] =
            [
                BundleFile(
                    try BundlePath(weightsFile),
                    bytes: try SafeTensorsWriter.encode(tensors, metadata: metadata)
                ),
                BundleFile(try BundlePath(TreeLoaderSource.path), text: TreeLoaderSource.text),
            ] + stageFiles
        let environment = try EnvironmentManifests(
            requirements: packager.requirements,
            mlflowVersion: packager.mlflowVersion,
            pythonVersion: packager.pythonVersion,
            pipVersion: packager.pipVersion,
            setuptoolsVersion: packager.setuptoolsVersion,
            wheelVersion: packager.wheelVersion
        )
        for (name, text) in try environment.files() {
            files.append(BundleFile(try BundlePath(name), text: text))
        }
        if let example {
            let info = example.info
            manifest.setSavedInputExampleInfo(info)
            files.append(BundleFile(try BundlePath(info.artifactPath), bytes: example.inputExampleBytes))
            if let serving = example.servingInputExampleBytes, let path = info.servingInputPath {
                files.append(BundleFile(try BundlePath(path), bytes: serving))
            }
        }
        return (manifest, files)
    }

    /// Writes `package` to `destination` (all-or-nothing; a non-empty destination is refused).
    @discardableResult
    public static func write(
        _ package: TreeEnsemblePackage,
        signature: ModelSignature?,
        example: InputExample?,
        to destination: String,
        packager: LinearModelPackager = LinearModelPackager()
    ) throws(ModelBundleError) -> ModelManifest {
        let (manifest, files) = try contents(of: package, signature: signature, example: example, packager: packager)
        return try BundleWriter(destination: destination).write(manifest: manifest, files: files)
    }

    /// `mbundle convert` for an MLflow `xgboost` or `lightgbm` bundle: the native bundle keeps the
    /// original's signature strings, input example files byte for byte and metadata.
    @discardableResult
    public static func convert(
        _ bundle: OpenedBundle,
        to destination: String,
        packager: LinearModelPackager = LinearModelPackager()
    ) throws(ModelBundleError) -> ModelManifest {
        try convert(bundle, package: try BoosterBundleReader.package(from: bundle), to: destination, packager: packager)
    }

    /// `mbundle convert` of a bundle already read into `package` (scikit-learn trees read by
    /// SklearnTrees); the same carrying-over as above.
    @discardableResult
    package static func convert(
        _ bundle: OpenedBundle,
        package: TreeEnsemblePackage,
        to destination: String,
        packager: LinearModelPackager = LinearModelPackager()
    ) throws(ModelBundleError) -> ModelManifest {
        // The native flavor would read the values as category codes, which is neither MLflow's answer
        // (a refusal) nor the library's on a category frame (BoosterFrameCheck).
        guard !package.fittedOnCategoryColumns else {
            throw ModelBundleError(
                .flavorUnavailable,
                "the model is not converted: it was fitted on pandas category columns, which its library "
                    + "requires at predict time and no JSON or CSV request supplies; the bundle runs as it is",
                item: "categories"
            )
        }
        try LinearModelFlavorConfiguration.ClassLabels.requireNativeLabels(package.configuration.classes)
        let original = bundle.manifest
        var (manifest, files) = try contents(
            of: package,
            signature: try original.signature(),
            example: nil,
            packager: packager
        )
        try ConvertedBundleCarryOver.apply(
            from: bundle,
            to: &manifest,
            files: &files,
            mbundleVersion: packager.mbundleVersion
        )
        return try BundleWriter(destination: destination).write(manifest: manifest, files: files)
    }
}
