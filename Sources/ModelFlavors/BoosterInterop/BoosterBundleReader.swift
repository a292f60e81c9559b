package import ModelBundle

/// What a tree bundle holds once read: the ensemble plus how the native flavor answers.
package struct TreeEnsemblePackage: Sendable {
    package var ensemble: ValidatedTreeEnsemble
    public var configuration: TreeEnsembleFlavorConfiguration
    /// A preprocessing stage in front of the trees (a scikit-learn pipeline's steps, written by
    /// `mbundle convert`): the signature describes its input, the trees read its output.
    package var preprocessing: PreprocessingStage?
    /// The feature names the source library checks a DataFrame's columns against (XGBoost's
    /// `feature_names`), for MLflow's own flavors.
    package var featureNames: [String]? = nil
    /// The model was fitted on pandas `category` columns and its library refuses any other frame
    /// (``BoosterFrameCheck``).
    package var fittedOnCategoryColumns = false

    package init(ensemble: ValidatedTreeEnsemble, configuration: TreeEnsembleFlavorConfiguration) {
        self.ensemble = ensemble
        self.configuration = configuration
    }
}

/// Reads the `xgboost` and `lightgbm` flavors MLflow writes (`mlflow.xgboost.save_model`,
/// `mlflow.lightgbm.save_model`) into a ``TreeEnsemblePackage`` that answers what MLflow's pyfunc
/// wrapper answers (`predict`): a Booster's transformed scores, a scikit-learn wrapper's labels.
/// Shared by the interop flavors and `mbundle convert`; nothing the bundle names is executed.
package enum BoosterBundleReader {
    /// The MLmodel flavor keys this reader understands.
    public static let flavorNames = ["xgboost", "lightgbm"]

    /// The package of the first booster flavor in `bundle`.
    public static func package(from bundle: OpenedBundle) throws(ModelBundleError) -> TreeEnsemblePackage {
        let manifest = bundle.manifest
        for name in flavorNames {
            if let configuration = manifest.flavor(name) {
                return try package(flavor: name, configuration: configuration, bundle: bundle)
            }
        }
        throw ModelBundleError(
            .flavorUnavailable,
            "the bundle has no xgboost or lightgbm flavor",
            item: "flavors"
        )
    }

    static func package(
        flavor: String,
        configuration: ManifestMap,
        bundle: OpenedBundle
    ) throws(ModelBundleError) -> TreeEnsemblePackage {
        let field = "flavors.\(flavor).data"
        guard let data = configuration["data"]?.text else {
            throw ModelBundleError(.manifestInvalid, "MLmodel field \(field) is missing", item: field)
        }
        let path = try BundlePath(data, field: field)
        let modelClass = configuration["model_class"]?.text ?? ""
        if flavor == "lightgbm", LightGBMWrapperFile.classes.contains(modelClass) {
            return try LightGBMWrapperFile.package(bundle, path: path, configuration: configuration)
        }
        let bytes = try bundle.read(path, limit: XGBoostModelReader.maximumFileSize, field: field)
        let width = try NativeLinearFlavorLoader.signatureWidth(bundle.manifest)
        if flavor == "xgboost" {
            return try xgboost(bytes, fileName: path.rawValue, modelClass: modelClass, featureWidth: width)
        }
        return try lightgbm(bytes, fileName: path.rawValue, modelClass: modelClass, featureWidth: width)
    }

    /// An XGBoost model file. `modelClass` is MLmodel's `model_class` (`xgboost.core.Booster`,
    /// `xgboost.sklearn.XGBClassifier`, `xgboost.sklearn.XGBRegressor`); empty means a Booster.
    public static func xgboost(
        _ bytes: [UInt8],
        fileName: String,
        modelClass: String,
        featureWidth: Int? = nil
    ) throws(ModelBundleError) -> TreeEnsemblePackage {
        let shortClass = modelClass.split(separator: ".").last.map(String.init) ?? ""
        // MLflow predicts a Booster on a DMatrix and a scikit-learn wrapper with its inplace_predict.
        let isBooster = shortClass == "Booster" || shortClass.isEmpty
        let model = try XGBoostModelReader.read(bytes, fileName: fileName, path: isBooster ? .dmatrix : .inplace)
        var ensemble = model.ensemble
        let source = "xgboost \(model.version.map(String.init).joined(separator: "."))"
        var configuration = TreeEnsembleFlavorConfiguration(source: source)
        switch shortClass {
        case "XGBClassifier", "XGBRFClassifier":
            // MLflow loads these as the scikit-learn wrapper, whose predict stops at best_iteration.
            ensemble = model.ensembleThroughBestIteration
            ensemble.task = .classification
            configuration.classes = .integers((0..<Int64(model.classCount)).map { $0 })
        case "XGBRegressor", "XGBRFRegressor", "XGBRanker":
            ensemble = model.ensembleThroughBestIteration
            ensemble.task = .regression
        case "Booster", "":
            // Booster.predict answers the transformed scores; multi:softmax answers class indices, as
            // float32 numbers (0.0, 2.0), not labels.
            if model.objective == "multi:softmax" {
                ensemble.task = .classification
                configuration.floatLabels = true
            } else {
                ensemble.task = .regression
            }
        default:
            throw ModelBundleError(
                .flavorUnavailable,
                "MLmodel field flavors.xgboost.model_class is \(modelClass); supported: Booster, XGBClassifier, "
                    + "XGBRegressor, XGBRFClassifier, XGBRFRegressor, XGBRanker",
                item: "flavors.xgboost.model_class"
            )
        }
        if isBooster {
            // MLflow's pyfunc wrapper scores a Booster on `xgb.DMatrix(frame)`; the scikit-learn
            // wrappers predict in place, which takes any value.
            configuration.inputCheck = .xgboostDMatrix
        }
        var package = TreeEnsemblePackage(
            ensemble: try ensemble.validated(featureWidth: featureWidth),
            configuration: configuration
        )
        package.featureNames = model.featureNames
        // A Booster is scored on a DMatrix of the frame, which takes the codes as they come.
        package.fittedOnCategoryColumns = !isBooster && model.fittedOnCategoryColumns
        return package
    }

    /// A LightGBM text model. Only Boosters are stored as text; the scikit-learn API models MLflow
    /// pickles or skops-serialises are refused by name.
    public static func lightgbm(
        _ bytes: [UInt8],
        fileName: String,
        modelClass: String,
        featureWidth: Int? = nil
    ) throws(ModelBundleError) -> TreeEnsemblePackage {
        let shortClass = modelClass.split(separator: ".").last.map(String.init) ?? ""
        guard shortClass == "Booster" || shortClass.isEmpty else {
            throw ModelBundleError(
                .flavorUnavailable,
                "MLmodel field flavors.lightgbm.model_class is \(modelClass); supported: Booster (model text), "
                    + "LGBMClassifier, LGBMRegressor and LGBMRanker (skops or pickle)",
                item: "flavors.lightgbm.model_class"
            )
        }
        let model = try LightGBMModelReader.read(bytes, fileName: fileName)
        var ensemble = model.ensemble
        ensemble.task = .regression  // Booster.predict answers the converted scores
        let configuration = TreeEnsembleFlavorConfiguration(source: "lightgbm model \(model.version)")
        var package = TreeEnsemblePackage(
            ensemble: try ensemble.validated(featureWidth: featureWidth),
            configuration: configuration
        )
        package.fittedOnCategoryColumns = model.fittedOnCategoryColumns
        return package
    }
}
