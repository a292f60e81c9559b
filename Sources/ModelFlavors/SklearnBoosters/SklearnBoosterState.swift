import ModelBundle

/// XGBoost's and LightGBM's scikit-learn API models (`XGBClassifier`, `XGBRegressor`,
/// `LGBMClassifier`, `LGBMRegressor`) as `mlflow.sklearn` stores them, bare or as a pipeline's last
/// step. The wrapper's `_Booster` carries the model bytes its `__getstate__` writes (xgboost 3.2:
/// `handle`, a UBJSON memory snapshot whose `Model` is the model document; lightgbm 4.7: `_handle`, the text model), which the booster readers
/// parse exactly as they parse `mlflow.xgboost`/`mlflow.lightgbm` files; the wrapper adds the
/// label rules of its `predict` and `predict_proba` (read from xgboost's and lightgbm's sklearn.py):
/// - `XGBClassifier.predict`: binary, probability > 0.5 → 1; multiclass, the first largest
///   probability; the index is the label (`classes_` is `arange(n_classes_)`). `predict_proba`:
///   binary `[1 − p, p]` in float32, multiclass the softmax probabilities.
/// - `LGBMClassifier.predict`: the first largest of `predict_proba` (binary `[1 − p, p]` in
///   float64), mapped through `_classes` (the LabelEncoder's classes).
/// - Regressors answer the booster's transformed prediction.
enum SklearnBoosterState {
    /// The wrapper classes read here. `XGBRFClassifier`/`XGBRFRegressor` only change how the booster
    /// is trained; `XGBRanker`/`LGBMRanker.predict` answer the booster's scores as a regressor does.
    static let wrappers: Set<SklearnEstimator.Kind> = [
        .xgbClassifier, .xgbRegressor, .xgbRFClassifier, .xgbRFRegressor, .xgbRanker, .lgbmClassifier,
        .lgbmRegressor, .lgbmRanker,
    ]

    static func model(_ source: any SklearnTreeSource, fileName: String) throws(ModelBundleError) -> SklearnTreeModel {
        let estimator = "\(fileName): \(source.kind.shortName)"
        switch source.kind {
        case .xgbClassifier, .xgbRegressor, .xgbRFClassifier, .xgbRFRegressor, .xgbRanker:
            return try xgboost(source, estimator: estimator, fileName: fileName)
        default:
            return try lightgbm(source, estimator: estimator, fileName: fileName)
        }
    }

    /// The wrapper's fitted Booster, which must be the library's own class.
    private static func booster(_ source: any SklearnTreeSource, expected: SklearnEstimator.Kind)
        throws(ModelBundleError) -> any SklearnTreeSource
    {
        let booster = try source.object("_Booster")
        guard booster.kind == expected else {
            throw source.invalid("_Booster", "is a \(booster.kind.shortName), not \(expected.rawValue)")
        }
        return booster
    }

    private static func xgboost(_ source: any SklearnTreeSource, estimator: String, fileName: String)
        throws(ModelBundleError) -> SklearnTreeModel
    {
        let booster = try booster(source, expected: .xgboostBooster)
        let bytes = try booster.rawBytes("handle")
        // The wrappers' predict runs inplace_predict.
        let model = try XGBoostModelReader.readSnapshot(bytes, fileName: "\(fileName):_Booster.handle", path: .inplace)
        // Early stopping: the wrapper's predict stops at best_iteration.
        var ensemble = model.ensembleThroughBestIteration
        // inplace_predict routes values equal to `missing` (as float32) as missing, besides NaN.
        if !source.isNone("missing") {
            let missing = try source.number("missing")
            if !missing.isNaN { ensemble.missingValue = missing }
        }
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        var labelRule = SklearnTreeModel.LabelRule.argmaxTransformed
        if source.kind == .xgbClassifier || source.kind == .xgbRFClassifier {
            let objectives = ["binary:logistic", "binary:logitraw", "binary:hinge", "multi:softprob", "multi:softmax"]
            guard objectives.contains(model.objective) else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(estimator) has objective \(model.objective); an XGBClassifier is read with "
                        + objectives.joined(separator: ", "),
                    item: "\(fileName):objective"
                )
            }
            if model.objective == "multi:softmax" {
                // predict is the booster's own class: the first largest margin (float32, as XGBoost picks
                // it); predict_proba is scipy's softmax of those margins.
                ensemble.link = .softmax
                labelRule = .marginArgmax
            }
            let count = try source.integer("n_classes_")
            guard count == model.classCount else {
                throw source.invalid("n_classes_", "is \(count) but the booster has \(model.classCount) classes")
            }
            // XGBClassifier.predict answers the class index itself; its classes_ is that range.
            let range = LinearModelFlavorConfiguration.ClassLabels.integers((0..<Int64(count)).map { $0 })
            if !source.isNone("classes_") {
                let recorded = try source.labels("classes_")
                guard case .integers(let values) = recorded, values == (0..<Int64(count)).map({ $0 }) else {
                    throw source.invalid("classes_", "is not 0..<\(count), which XGBClassifier.predict answers")
                }
            }
            classes = range
            ensemble.task = .classification
        } else {
            ensemble.task = .regression
        }
        var wrapper = try wrapperModel(ensemble, classes: classes, labelRule: labelRule, estimator: estimator)
        wrapper.fittedOnCategoryColumns = model.fittedOnCategoryColumns
        return wrapper
    }

    private static func lightgbm(_ source: any SklearnTreeSource, estimator: String, fileName: String)
        throws(ModelBundleError) -> SklearnTreeModel
    {
        let booster = try booster(source, expected: .lightgbmBooster)
        guard let text = booster.text("_handle") else {
            throw booster.invalid("_handle", "is missing or not the model text; was the estimator fitted?")
        }
        let model = try LightGBMModelReader.read(Array(text.utf8), fileName: "\(fileName):_Booster._handle")
        var ensemble = model.ensemble
        // Early stopping: Booster.predict stops at best_iteration (1-based; 0 when none), one tree per
        // output a round.
        let best = booster.isNone("best_iteration") ? 0 : try booster.integer("best_iteration")
        if best > 0 {
            let (trees, overflow) = best.multipliedReportingOverflow(by: ensemble.outputCount)
            ensemble = ensemble.prefix(trees: overflow ? ensemble.treeCount : trees)
        }
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        if source.kind == .lgbmClassifier {
            let labels = try source.labels("_classes")
            let count = try source.integer("_n_classes")
            guard count == labels.count else {
                throw source.invalid("_n_classes", "is \(count) but _classes lists \(labels.count) labels")
            }
            let objective = String(model.objective.split(separator: " ").first ?? "")
            guard ["binary", "multiclass", "multiclassova"].contains(objective) else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(estimator) has objective \(model.objective); an LGBMClassifier is read with binary, multiclass "
                        + "or multiclassova",
                    item: "\(fileName):_objective"
                )
            }
            classes = labels
            ensemble.task = .classification
        } else {
            ensemble.task = .regression
        }
        var wrapper = try wrapperModel(ensemble, classes: classes, estimator: estimator)
        wrapper.fittedOnCategoryColumns = model.fittedOnCategoryColumns
        return wrapper
    }

    /// Both wrappers answer as their booster does (NaN is missing), with labels from the largest
    /// transformed score.
    private static func wrapperModel(
        _ ensemble: TreeEnsemble,
        classes: LinearModelFlavorConfiguration.ClassLabels?,
        labelRule: SklearnTreeModel.LabelRule = .argmaxTransformed,
        estimator: String
    ) throws(ModelBundleError) -> SklearnTreeModel {
        try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: classes,
            labelRule: labelRule,
            flattens: ensemble.outputCount == 1 || classes != nil,
            rejectsNaN: false,
            estimator: estimator
        )
    }
}
