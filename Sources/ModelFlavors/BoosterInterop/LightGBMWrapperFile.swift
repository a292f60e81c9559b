import ModelBundle

/// `mlflow.lightgbm` saves an `LGBMClassifier` or `LGBMRegressor` as the scikit-learn object itself
/// (`serialization_format` skops by default, or pickle/cloudpickle), and MLflow's wrapper calls its
/// `predict`. The file is read by the same allowlisted readers as `mlflow.sklearn`'s, into the same
/// ensemble and labels (Docs/interop.md), and answered as the native flavor answers it.
enum LightGBMWrapperFile {
    /// The `model_class` values read this way.
    static let classes: Set = [
        "lightgbm.sklearn.LGBMClassifier", "lightgbm.sklearn.LGBMRegressor", "lightgbm.sklearn.LGBMRanker",
    ]

    static func package(
        _ bundle: OpenedBundle,
        path: BundlePath,
        configuration: ManifestMap
    ) throws(ModelBundleError) -> TreeEnsemblePackage {
        let field = "flavors.lightgbm.data"
        let format =
            configuration["serialization_format"]?.text ?? (path.rawValue.hasSuffix(".skops") ? "skops" : "pickle")
        try SklearnInteropFlavor.checkSerializationFormat(format, field: "flavors.lightgbm.serialization_format")
        let read = try SklearnInteropFlavor.readModelFile(bundle, path: path, format: format, field: field)
        // The readers accept any allowlisted estimator; this flavor's file must hold the class it names.
        guard case .trees(let model) = read.estimator, read.stage == nil,
            ["LGBMClassifier", "LGBMRegressor", "LGBMRanker"].contains(where: { model.estimator.hasSuffix($0) })
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(path.rawValue) does not hold the LGBMClassifier, LGBMRegressor or LGBMRanker that "
                    + "flavors.lightgbm.model_class names",
                item: path.rawValue
            )
        }
        let version = configuration["lgb_version"]?.text.map { "lightgbm \($0) " } ?? ""
        let width = try NativeLinearFlavorLoader.signatureWidth(bundle.manifest)
        var package = TreeEnsemblePackage(
            ensemble: try model.ensemble.ensemble.validated(featureWidth: width),
            configuration: TreeEnsembleFlavorConfiguration(
                predictFunction: .predict,
                classes: model.classes,
                source: version + (model.estimator.split(separator: " ").last.map(String.init) ?? "")
            )
        )
        package.fittedOnCategoryColumns = model.fittedOnCategoryColumns
        return package
    }
}
