public import ModelBundle
public import ModelRuntime

/// Reads bundles MLflow's `mlflow.sklearn` wrote (spec §1.6) and runs them on the native linear
/// kernels, with no Python and without executing anything the bundle names.
///
/// Supported: `serialization_format` `skops` (strict zip + JSON + `.npy` reader) or `pickle` /
/// `cloudpickle` (a restricted pickle reader that never calls anything), holding one of the classes
/// in ``SklearnEstimator/Kind``: regressors (`LinearRegression`, `Ridge`, `Lasso`, `ElasticNet`,
/// `SGDRegressor`, `LinearSVR`), classifiers (`LogisticRegression`, `RidgeClassifier`, `LinearSVC`,
/// `SGDClassifier`; integer, bool or str labels), or a `Pipeline` of `StandardScaler`, `MinMaxScaler` and
/// `MaxAbsScaler` steps then one of those. `flavors.python_function.predict_fn` selects `predict`,
/// `predict_proba` or `decision_function` as MLflow's wrapper would, where scikit-learn offers it.
/// Anything else is refused with an error naming it. Registered after the native flavors, so a
/// bundle carrying both runs natively.
public enum SklearnInteropFlavor: ModelFlavor {
    public static var name: String { SklearnFlavor.name }

    /// The model file, its serialization and the scikit-learn version that wrote it.
    public static func describe(configuration: ManifestMap) -> String {
        let flavor = SklearnFlavor(configuration: configuration)
        var parts = ["\(flavor.pickledModel ?? "?") (\(flavor.serializationFormat))"]
        if let version = flavor.sklearnVersion { parts.append("scikit-learn \(version)") }
        return parts.joined(separator: ", ")
    }

    /// A linear model's skops file is a few kilobytes; this bound keeps a hostile one from
    /// exhausting memory before the zip reader sees it.
    public static let maximumModelFileSize = 256 << 20
    /// The bound security.md §4c recommends for a pickled linear model.
    public static let maximumPickleFileSize = 64 << 20

    public static func load(
        from bundle: OpenedBundle,
        configuration: ManifestMap
    ) throws(ModelBundleError) -> any FlavorModel {
        let (model, fileName) = try readEstimator(bundle, configuration: configuration)
        let predictFunction = bundle.manifest.flavor(PythonFunctionFlavor.name)?["predict_fn"]?.text ?? "predict"
        return try flavorModel(
            model,
            predictFunction: predictFunction,
            featureWidth: model.stage == nil ? try NativeLinearFlavorLoader.signatureWidth(bundle.manifest) : nil,
            fileName: fileName
        )
    }

    /// A read model as a runnable one: its stage (when it has one) in front of its estimator, its
    /// target transform (a TransformedTargetRegressor's) after. `featureWidth` is the width of the
    /// features it is given without a stage. Voting ensembles build each member through here.
    static func flavorModel(
        _ model: SklearnModel,
        predictFunction: String,
        featureWidth: Int?,
        fileName: String
    ) throws(ModelBundleError) -> any FlavorModel {
        let predicting: any FlavorModel
        if let stage = model.stage {
            // The stage produces the estimator's features; the signature describes the stage's input.
            let inner = try SklearnEstimatorModelBuilder.model(
                model.estimator,
                predictFunction: predictFunction,
                featureWidth: stage.outputWidth,
                fileName: fileName
            )
            predicting = PreprocessedModel(stage: stage, model: inner)
        } else {
            predicting = try SklearnEstimatorModelBuilder.model(
                model.estimator,
                predictFunction: predictFunction,
                featureWidth: featureWidth,
                fileName: fileName
            )
        }
        let typed = model.objectColumnsRefusedBy.map {
            BoosterFrameCheck(model: predicting, library: $0, fittedOnCategoryColumns: model.fittedOnCategoryColumns)
        }
        let named = model.featureNames.map {
            FeatureNameCheck(model: typed ?? predicting, names: $0, library: model.featureNamesLibrary)
        }
        guard let inverse = model.targetInverse else { return named ?? typed ?? predicting }
        return SklearnTargetTransformedModel(model: named ?? typed ?? predicting, inverse: inverse)
    }

    /// The estimator a bundle's `flavors.sklearn` names, read by the allowlisted skops or pickle reader,
    /// and the model file's name (for errors). Shared by ``load(from:configuration:)`` and `mbundle convert`.
    static func readEstimator(
        _ bundle: OpenedBundle,
        configuration: ManifestMap
    ) throws(ModelBundleError) -> (SklearnModel, fileName: String) {
        let flavor = SklearnFlavor(configuration: configuration)
        let format = flavor.serializationFormat
        try checkSerializationFormat(format, field: "flavors.sklearn.serialization_format")
        let field = "flavors.sklearn.pickled_model"
        guard let fileName = flavor.pickledModel else {
            throw ModelBundleError(.manifestInvalid, "MLmodel field \(field) is missing", item: field)
        }
        let path = try BundlePath(fileName, field: field)
        let model = try readModelFile(bundle, path: path, format: format, field: field)
        return (try model.unfoldedForFloat32Input(bundle.manifest), path.rawValue)
    }

    /// Refuses a `serialization_format` MLflow does not write (skops, pickle, cloudpickle).
    static func checkSerializationFormat(_ format: String, field: String) throws(ModelBundleError) {
        guard ["skops", "pickle", "cloudpickle"].contains(format) else {
            throw ModelBundleError(
                .manifestInvalid,
                "MLmodel field \(field) is \(format); MLflow writes skops, cloudpickle or pickle",
                item: field
            )
        }
    }

    /// The scikit-learn object in `path`, read by the allowlisted skops or pickle reader (`format` checked by
    /// ``checkSerializationFormat(_:field:)``). Shared with `mlflow.lightgbm`'s scikit-learn models.
    static func readModelFile(_ bundle: OpenedBundle, path: BundlePath, format: String, field: String)
        throws(ModelBundleError) -> SklearnModel
    {
        if format == "skops" {
            let bytes = try bundle.read(path, limit: maximumModelFileSize, field: field)
            return try SkopsReader.read(bytes: bytes, fileName: path.rawValue)
        }
        // cloudpickle writes plain pickles for estimators; both go through the restricted reader.
        let bytes = try bundle.read(path, limit: maximumPickleFileSize, field: field)
        return try PickleReader.read(bytes: bytes, fileName: path.rawValue)
    }
}
