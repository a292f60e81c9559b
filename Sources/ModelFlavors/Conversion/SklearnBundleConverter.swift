package import ModelBundle
import ModelBundleArchive

/// `mbundle convert`: turns a bundle MLflow's `mlflow.sklearn` wrote into a native ModelBundle bundle
/// (safetensors weights, the native flavor, the pure-numpy `python_function` loader and our
/// environment files) that predicts exactly what the original predicts.
///
/// What the original said about its interface is carried over unchanged: the `signature` block (the
/// same three JSON strings), `saved_input_example_info` with `input_example.json` and
/// `serving_input_example.json` byte for byte, `flavors.python_function.predict_fn` (as the native
/// flavor's `predict_fn`) and `metadata` (plus `mbundle_version`). Nothing the bundle names is
/// executed: the estimator is read by the same allowlisted skops and pickle readers as `predict`.
package enum SklearnBundleConverter {
    /// The native package of an MLflow sklearn bundle: its weights and predict function, with the
    /// original signature (the example is copied verbatim by ``convert(_:to:packager:)``).
    ///
    /// - Throws: `flavorUnavailable` naming `flavors.sklearn` for a bundle that has no sklearn flavor
    ///   or already has a native one, the readers' errors for the model file, and the errors of
    ///   ``LinearModelPackage/checked()``.
    public static func package(from bundle: OpenedBundle) throws(ModelBundleError) -> LinearModelPackage {
        let manifest = bundle.manifest
        if let native = LinearModelFlavorConfiguration.Kind.allCases.first(where: {
            manifest.flavor($0.rawValue) != nil
        }) {
            throw ModelBundleError(
                .flavorUnavailable,
                "the bundle already has the native flavor \(native.rawValue); there is nothing to convert "
                    + "(use it as it is, or `mbundle pack` it)",
                item: "flavors.\(native.rawValue)"
            )
        }
        guard let configuration = manifest.flavor(SklearnFlavor.name) else {
            let present = manifest.flavorNames.isEmpty ? "none" : manifest.flavorNames.joined(separator: ", ")
            throw ModelBundleError(
                .flavorUnavailable,
                "the bundle has no sklearn flavor (flavors: \(present)); convert reads bundles written by "
                    + "mlflow.sklearn",
                item: "flavors.sklearn"
            )
        }
        try requireNativePredictFunction(manifest)
        let (model, fileName) = try SklearnInteropFlavor.readEstimator(bundle, configuration: configuration)
        try model.requireConvertible(fileName: fileName)
        let estimator = model.estimator
        let predictFunction = manifest.pythonFunction?.predictFunction ?? "predict"
        var package = try estimator.nativePackage(predictFunction: predictFunction, fileName: fileName)
        package.preprocessing = model.stage
        package.signature = try manifest.signature()
        return try package.checked()
    }

    /// Converts `bundle` and writes the native bundle to `destination` (all-or-nothing; a non-empty
    /// destination is refused and left untouched).
    ///
    /// - Returns: the manifest as written.
    @discardableResult
    public static func convert(
        _ bundle: OpenedBundle,
        to destination: String,
        packager: LinearModelPackager = LinearModelPackager()
    ) throws(ModelBundleError) -> ModelManifest {
        if let trees = try SklearnTreeConversion.package(from: bundle) {
            return try TreeEnsembleBundleWriter.convert(bundle, package: trees, to: destination, packager: packager)
        }
        let package = try package(from: bundle)
        var (manifest, files) = try packager.contents(of: package)
        try ConvertedBundleCarryOver.apply(
            from: bundle,
            to: &manifest,
            files: &files,
            keys: ["is_signature_from_type_hint", "type_hint_from_example"],
            mbundleVersion: packager.mbundleVersion
        )
        return try BundleWriter(destination: destination).write(manifest: manifest, files: files)
    }
}

extension SklearnBundleConverter {
    /// The native flavors answer `predict`, `predict_proba` and `decision_function`; a bundle saved
    /// with `pyfunc_predict_fn="predict_log_proba"` runs as it is rather than convert to a different
    /// answer.
    static func requireNativePredictFunction(_ manifest: ModelManifest) throws(ModelBundleError) {
        guard manifest.pythonFunction?.predictFunction == "predict_log_proba" else { return }
        throw ModelBundleError(
            .flavorUnavailable,
            "the bundle's flavors.python_function.predict_fn is predict_log_proba, which the native flavors do not "
                + "answer, so it is not converted: serve or predict the MLflow bundle as it is",
            item: "flavors.python_function.predict_fn"
        )
    }

    /// Converts the bundle at `modelPath` (a directory, or a `.tar.gz`/`.zip` of one) into a native
    /// bundle at `destination` (`mbundle convert`).
    @discardableResult
    public static func convert(modelPath: String, to destination: String) throws(ModelBundleError) -> ModelManifest {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        // The extracted copy must outlive the reading of its files.
        return try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            let bundle = try BundleReader(path: extracted.directory.path).read()
            // XGBoost and LightGBM bundles become native tree ensembles; scikit-learn ones (linear,
            // trees, pipelines) go through the sklearn readers.
            if BoosterBundleReader.flavorNames.contains(where: { bundle.manifest.flavor($0) != nil }) {
                return try TreeEnsembleBundleWriter.convert(bundle, to: destination)
            }
            return try convert(bundle, to: destination)
        }
    }
}
