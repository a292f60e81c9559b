import ModelBundle

/// `mbundle convert` for `mlflow.sklearn` bundles holding a tree model: the same ensemble the
/// interop flavor runs, written as the native `tree_ensemble` flavor with the bundle's `predict_fn`
/// and classes.
enum SklearnTreeConversion {
    /// The native package when the bundle's sklearn flavor holds a tree model; nil otherwise (a
    /// linear model, converted by SklearnBundleConverter).
    static func package(from bundle: OpenedBundle) throws(ModelBundleError) -> TreeEnsemblePackage? {
        guard let configuration = bundle.manifest.flavor(SklearnFlavor.name) else { return nil }
        try SklearnBundleConverter.requireNativePredictFunction(bundle.manifest)
        let (read, fileName) = try SklearnInteropFlavor.readEstimator(bundle, configuration: configuration)
        try read.requireConvertible(fileName: fileName)
        guard case .trees(let model) = read.estimator else { return nil }
        if let rule = model.nativeRuleName {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(model.estimator) is not converted: the native tree_ensemble flavor has no \(rule); "
                    + "the bundle runs as it is",
                item: model.estimator
            )
        }
        let name = bundle.manifest.pythonFunction?.predictFunction ?? "predict"
        let supported = model.isClassifier ? ["predict", "predict_proba"] : ["predict"]
        guard supported.contains(name), let function = TreeEnsembleFlavorConfiguration.PredictFunction(rawValue: name)
        else {
            throw SklearnEstimatorModelBuilder.unsupportedFunction(name, "a \(model.estimator)", supported)
        }
        let version = configuration["sklearn_version"]?.text.map { " \($0)" } ?? ""
        var package = TreeEnsemblePackage(
            ensemble: model.ensemble,
            configuration: TreeEnsembleFlavorConfiguration(
                predictFunction: function,
                classes: model.classes,
                source: "scikit-learn\(version) \(model.estimator.split(separator: " ").last ?? "")"
            )
        )
        // scikit-learn's own trees refuse what float32 cannot hold (SklearnTreeFlavorModel), and so does the
        // converted bundle.
        if model.checksFloat32Inputs { package.configuration.inputCheck = .scikitLearn }
        // A pipeline's steps (and a categorical HistGradientBoosting's own _preprocessor) run first.
        package.preprocessing = read.stage
        package.fittedOnCategoryColumns = read.stage == nil && model.fittedOnCategoryColumns
        return package
    }
}
