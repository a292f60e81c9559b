import ModelBundle

/// A scikit-learn estimator this build can run natively, with the fitted arrays it needs.
///
/// The allowlist of classes lives here, in our code: a bundle's own `skops_trusted_types` is never
/// consulted (security.md §0.1). Nothing named by a bundle is imported or executed; a class name
/// only selects one of these cases.
enum SklearnEstimator: Sendable {
    /// `LogisticRegression`, and `SGDClassifier(loss="log_loss")` (whose `predict_proba` is the same
    /// one-vs-rest logistic function, `strategy` `.binary` or `.ovr`).
    case logisticRegression(
        coef: WeightTensor,
        intercept: WeightTensor,
        classes: LinearModelFlavorConfiguration.ClassLabels,
        strategy: MultiClassStrategy
    )
    /// `LinearRegression`, `Ridge`, `Lasso`, `ElasticNet`, `SGDRegressor`, `LinearSVR`: `coef_` [n] or
    /// [k, n], `intercept_` a scalar, [1] or [k].
    case linearRegression(coef: WeightTensor, intercept: WeightTensor)
    /// `RidgeClassifier`, `LinearSVC`, `SGDClassifier` with a loss other than log_loss: the decision
    /// function and its argmax (`strategy` `.binary`: one row, decision > 0 → `classes[1]`; `.ovr`:
    /// one row per class, the first largest score wins), probabilities only as `probabilities` says.
    case linearClassifier(
        coef: WeightTensor,
        intercept: WeightTensor,
        classes: LinearModelFlavorConfiguration.ClassLabels,
        strategy: MultiClassStrategy,
        probabilities: ClassifierProbabilities
    )

    /// Whether a decision-function classifier offers `predict_proba`, and how.
    enum ClassifierProbabilities: Sendable, Equatable {
        /// scikit-learn raises for `predict_proba`; the text names the model for the refusal
        /// ("a LinearSVC", "an SGDClassifier with loss='hinge'").
        case unavailable(String)
        /// `SGDClassifier(loss="modified_huber")`: (clip(d, −1, 1) + 1) / 2, normalised per row.
        case modifiedHuber
    }

    /// A tree, forest or gradient-boosting model (Sources/ModelFlavors/SklearnTrees).
    case trees(SklearnTreeModel)
    /// `VotingClassifier`, `VotingRegressor` (``SklearnVoting``).
    case voting(SklearnVoting)
    /// `StackingClassifier`, `StackingRegressor` (``SklearnStacking``).
    indirect case stacking(SklearnStacking)
    /// `CalibratedClassifierCV` (``SklearnCalibrated``).
    indirect case calibrated(SklearnCalibrated)

    /// Tree models compare features, so no affine step can be folded into them.
    var isTreeModel: Bool {
        if case .trees = self { true } else { false }
    }

    /// Only a linear model's weights can absorb the scalers in front of it.
    var foldsScalers: Bool {
        switch self {
        case .linearRegression, .logisticRegression, .linearClassifier: true
        case .trees, .voting, .stacking, .calibrated: false
        }
    }

    /// What scikit-learn calls each class this reader knows, fully qualified as skops and pickle
    /// record it. ``role`` says where each may appear.
    enum Kind: String, CaseIterable, Sendable {
        case logisticRegression = "sklearn.linear_model._logistic.LogisticRegression"
        case linearRegression = "sklearn.linear_model._base.LinearRegression"
        case ridge = "sklearn.linear_model._ridge.Ridge"
        case lasso = "sklearn.linear_model._coordinate_descent.Lasso"
        case elasticNet = "sklearn.linear_model._coordinate_descent.ElasticNet"
        case sgdRegressor = "sklearn.linear_model._stochastic_gradient.SGDRegressor"
        case linearSVR = "sklearn.svm._classes.LinearSVR"
        case ridgeClassifier = "sklearn.linear_model._ridge.RidgeClassifier"
        case linearSVC = "sklearn.svm._classes.LinearSVC"
        case sgdClassifier = "sklearn.linear_model._stochastic_gradient.SGDClassifier"
        /// More regressors whose `predict` is `LinearModel._decision_function`, X @ coef_.T + intercept_
        /// (the cross-validated variants, least-angle and matching-pursuit models, the Bayesian and
        /// robust ones, multi-task models): read as ``linearRegression(coef:intercept:)``.
        case ridgeCV = "sklearn.linear_model._ridge.RidgeCV"
        case lassoCV = "sklearn.linear_model._coordinate_descent.LassoCV"
        case elasticNetCV = "sklearn.linear_model._coordinate_descent.ElasticNetCV"
        case multiTaskLasso = "sklearn.linear_model._coordinate_descent.MultiTaskLasso"
        case multiTaskElasticNet = "sklearn.linear_model._coordinate_descent.MultiTaskElasticNet"
        case multiTaskLassoCV = "sklearn.linear_model._coordinate_descent.MultiTaskLassoCV"
        case multiTaskElasticNetCV = "sklearn.linear_model._coordinate_descent.MultiTaskElasticNetCV"
        case lars = "sklearn.linear_model._least_angle.Lars"
        case larsCV = "sklearn.linear_model._least_angle.LarsCV"
        case lassoLars = "sklearn.linear_model._least_angle.LassoLars"
        case lassoLarsCV = "sklearn.linear_model._least_angle.LassoLarsCV"
        case lassoLarsIC = "sklearn.linear_model._least_angle.LassoLarsIC"
        case orthogonalMatchingPursuit = "sklearn.linear_model._omp.OrthogonalMatchingPursuit"
        case orthogonalMatchingPursuitCV = "sklearn.linear_model._omp.OrthogonalMatchingPursuitCV"
        case bayesianRidge = "sklearn.linear_model._bayes.BayesianRidge"
        case ardRegression = "sklearn.linear_model._bayes.ARDRegression"
        case huberRegressor = "sklearn.linear_model._huber.HuberRegressor"
        case theilSenRegressor = "sklearn.linear_model._theil_sen.TheilSenRegressor"
        case quantileRegressor = "sklearn.linear_model._quantile.QuantileRegressor"
        case passiveAggressiveRegressor = "sklearn.linear_model._passive_aggressive.PassiveAggressiveRegressor"
        /// LogisticRegression's cross-validated variant: the same predict_proba over its refitted coef_.
        case logisticRegressionCV = "sklearn.linear_model._logistic.LogisticRegressionCV"
        /// RidgeClassifier's cross-validated variant, read the same way (its `_label_binarizer`).
        case ridgeClassifierCV = "sklearn.linear_model._ridge.RidgeClassifierCV"
        /// Decision-function classifiers without predict_proba, as LinearSVC.
        case perceptron = "sklearn.linear_model._perceptron.Perceptron"
        case passiveAggressiveClassifier = "sklearn.linear_model._passive_aggressive.PassiveAggressiveClassifier"
        /// Scalers: only as steps of a pipeline, folded into the final estimator's weights.
        case standardScaler = "sklearn.preprocessing._data.StandardScaler"
        case minMaxScaler = "sklearn.preprocessing._data.MinMaxScaler"
        case maxAbsScaler = "sklearn.preprocessing._data.MaxAbsScaler"
        /// Scaler steps followed by one linear estimator.
        case pipeline = "sklearn.pipeline.Pipeline"
        /// Only as `RidgeClassifier._label_binarizer`, read for its `classes_` and `y_type_`.
        case labelBinarizer = "sklearn.preprocessing._label.LabelBinarizer"
        /// Preprocessing steps in front of the estimator (issue #13), read into a
        /// ``PreprocessingStage`` by ``SklearnPreprocessingState``.
        case columnTransformer = "sklearn.compose._column_transformer.ColumnTransformer"
        case featureUnion = "sklearn.pipeline.FeatureUnion"
        case simpleImputer = "sklearn.impute._base.SimpleImputer"
        /// Only as `SimpleImputer.indicator_` (add_indicator=True).
        case missingIndicator = "sklearn.impute._base.MissingIndicator"
        case oneHotEncoder = "sklearn.preprocessing._encoders.OneHotEncoder"
        case ordinalEncoder = "sklearn.preprocessing._encoders.OrdinalEncoder"
        case targetEncoder = "sklearn.preprocessing._target_encoder.TargetEncoder"
        case robustScaler = "sklearn.preprocessing._data.RobustScaler"
        case polynomialFeatures = "sklearn.preprocessing._polynomial.PolynomialFeatures"
        case kBinsDiscretizer = "sklearn.preprocessing._discretization.KBinsDiscretizer"
        /// A feature selector: the columns whose fitted variance is above the threshold.
        case varianceThreshold = "sklearn.feature_selection._variance_threshold.VarianceThreshold"
        /// Feature selectors on fitted `scores_` (their `score_func` is never called).
        case selectKBest = "sklearn.feature_selection._univariate_selection.SelectKBest"
        case selectPercentile = "sklearn.feature_selection._univariate_selection.SelectPercentile"
        /// Feature selectors whose fitted `support_` names the kept columns, and SelectFromModel (its
        /// estimator's `coef_`).
        case rfe = "sklearn.feature_selection._rfe.RFE"
        case rfecv = "sklearn.feature_selection._rfe.RFECV"
        case sequentialFeatureSelector = "sklearn.feature_selection._sequential.SequentialFeatureSelector"
        case selectFromModel = "sklearn.feature_selection._from_model.SelectFromModel"
        /// The identity (func and inverse_func None), which ColumnTransformer fits in place of
        /// remainder="passthrough", or a numpy ufunc by name (ElementwiseFunction); other functions are refused.
        case functionTransformer = "sklearn.preprocessing._function_transformer.FunctionTransformer"
        /// Linear projections: `components_` (and PCA's `mean_`, `explained_variance_` when whitened).
        case pca = "sklearn.decomposition._pca.PCA"
        case incrementalPCA = "sklearn.decomposition._incremental_pca.IncrementalPCA"
        case truncatedSVD = "sklearn.decomposition._truncated_svd.TruncatedSVD"
        /// Yeo-Johnson or Box-Cox with `lambdas_`, then its `_scaler` (a StandardScaler) when standardizing.
        case powerTransformer = "sklearn.preprocessing._data.PowerTransformer"
        /// `quantiles_` and `references_`, uniform or normal output.
        case quantileTransformer = "sklearn.preprocessing._data.QuantileTransformer"
        /// B-spline bases (`bsplines_`), dense output.
        case splineTransformer = "sklearn.preprocessing._polynomial.SplineTransformer"
        /// Only as `SplineTransformer.bsplines_`: knots, coefficients, degree, extrapolate.
        case bSpline = "scipy.interpolate._bsplines.BSpline"

        /// A regressor whose target was transformed for fitting: its `regressor_` predicts, its
        /// `transformer_` is inverted on the predictions (SklearnTargetTransform).
        case transformedTargetRegressor = "sklearn.compose._target.TransformedTargetRegressor"
        /// Ensembles of the estimators above (SklearnVoting).
        case votingClassifier = "sklearn.ensemble._voting.VotingClassifier"
        case votingRegressor = "sklearn.ensemble._voting.VotingRegressor"
        /// Stacked ensembles of the estimators above (SklearnStacking).
        case stackingClassifier = "sklearn.ensemble._stacking.StackingClassifier"
        case stackingRegressor = "sklearn.ensemble._stacking.StackingRegressor"
        case calibratedClassifierCV = "sklearn.calibration.CalibratedClassifierCV"
        /// Parts of a CalibratedClassifierCV: each fold's estimator and calibrators.
        case calibratedClassifier = "sklearn.calibration._CalibratedClassifier"
        case sigmoidCalibration = "sklearn.calibration._SigmoidCalibration"
        case isotonicRegression = "sklearn.isotonic.IsotonicRegression"

        // Tree models (Sources/ModelFlavors/SklearnTrees) and the objects their state holds.
        case decisionTreeClassifier = "sklearn.tree._classes.DecisionTreeClassifier"
        case decisionTreeRegressor = "sklearn.tree._classes.DecisionTreeRegressor"
        case extraTreeClassifier = "sklearn.tree._classes.ExtraTreeClassifier"
        case extraTreeRegressor = "sklearn.tree._classes.ExtraTreeRegressor"
        case randomForestClassifier = "sklearn.ensemble._forest.RandomForestClassifier"
        case randomForestRegressor = "sklearn.ensemble._forest.RandomForestRegressor"
        case extraTreesClassifier = "sklearn.ensemble._forest.ExtraTreesClassifier"
        case extraTreesRegressor = "sklearn.ensemble._forest.ExtraTreesRegressor"
        case gradientBoostingClassifier = "sklearn.ensemble._gb.GradientBoostingClassifier"
        case gradientBoostingRegressor = "sklearn.ensemble._gb.GradientBoostingRegressor"
        case histGradientBoostingClassifier =
            "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier"
        case histGradientBoostingRegressor =
            "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor"
        case isolationForest = "sklearn.ensemble._iforest.IsolationForest"
        /// Ensembles of decision trees (SklearnBaggingState, SklearnAdaBoostState).
        case baggingClassifier = "sklearn.ensemble._bagging.BaggingClassifier"
        case baggingRegressor = "sklearn.ensemble._bagging.BaggingRegressor"
        case adaBoostClassifier = "sklearn.ensemble._weight_boosting.AdaBoostClassifier"
        case adaBoostRegressor = "sklearn.ensemble._weight_boosting.AdaBoostRegressor"
        /// Parts: a fitted tree's node storage, HistGradientBoosting's trees and binner, and
        /// GradientBoosting's `init_` estimators.
        case tree = "sklearn.tree._tree.Tree"
        case treePredictor = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
        case binMapper = "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper"
        case dummyClassifier = "sklearn.dummy.DummyClassifier"
        case dummyRegressor = "sklearn.dummy.DummyRegressor"

        // XGBoost's and LightGBM's scikit-learn API models (Sources/ModelFlavors/SklearnBoosters): the
        // wrapper's attributes plus its Booster, whose model bytes the booster readers parse.
        case xgbClassifier = "xgboost.sklearn.XGBClassifier"
        case xgbRegressor = "xgboost.sklearn.XGBRegressor"
        case lgbmClassifier = "lightgbm.sklearn.LGBMClassifier"
        case lgbmRegressor = "lightgbm.sklearn.LGBMRegressor"
        /// Random forests and rankers of the same libraries: the same wrapper state, the same booster.
        case xgbRFClassifier = "xgboost.sklearn.XGBRFClassifier"
        case xgbRFRegressor = "xgboost.sklearn.XGBRFRegressor"
        case xgbRanker = "xgboost.sklearn.XGBRanker"
        case lgbmRanker = "lightgbm.sklearn.LGBMRanker"
        /// Parts: the Boosters the wrappers hold (`_Booster`), read only for their model bytes.
        case xgboostBooster = "xgboost.core.Booster"
        case lightgbmBooster = "lightgbm.basic.Booster"

        enum Role { case estimator, scaler, pipeline, part, transformer, treeModel, treePart, targetWrapper }

        var role: Role {
            switch self {
            case .standardScaler, .minMaxScaler, .maxAbsScaler: .scaler
            case .pipeline: .pipeline
            case .transformedTargetRegressor: .targetWrapper
            case .labelBinarizer, .calibratedClassifier, .sigmoidCalibration, .isotonicRegression, .bSpline:
                .part
            case .columnTransformer, .featureUnion, .simpleImputer, .missingIndicator, .oneHotEncoder, .ordinalEncoder,
                .targetEncoder,
                .robustScaler, .polynomialFeatures, .kBinsDiscretizer, .varianceThreshold, .selectKBest,
                .selectPercentile, .rfe, .rfecv, .sequentialFeatureSelector, .selectFromModel, .functionTransformer,
                .pca, .incrementalPCA, .truncatedSVD, .powerTransformer,
                .quantileTransformer, .splineTransformer:
                .transformer
            case .decisionTreeClassifier, .decisionTreeRegressor, .randomForestClassifier, .randomForestRegressor,
                .extraTreesClassifier, .extraTreesRegressor, .gradientBoostingClassifier, .gradientBoostingRegressor,
                .histGradientBoostingClassifier, .histGradientBoostingRegressor, .xgbClassifier, .xgbRegressor,
                .lgbmClassifier, .lgbmRegressor, .xgbRFClassifier, .xgbRFRegressor, .xgbRanker, .lgbmRanker,
                .isolationForest, .baggingClassifier, .baggingRegressor, .adaBoostClassifier, .adaBoostRegressor,
                .extraTreeClassifier, .extraTreeRegressor:
                .treeModel
            case .tree, .treePredictor, .binMapper, .dummyClassifier, .dummyRegressor, .xgboostBooster,
                .lightgbmBooster:
                .treePart
            default: .estimator
            }
        }

        /// The class name without its module, as users write it.
        var shortName: String { String(rawValue.split(separator: ".").last ?? Substring(rawValue)) }
    }

    /// A fitted scaler as an affine map per feature, z = (x − subtract) / divide × multiply + add
    /// (nil: the identity for that part). StandardScaler subtracts and divides, MinMaxScaler
    /// multiplies and adds, MaxAbsScaler divides, each exactly as its `transform` computes.
    struct Scaler: Sendable {
        var kind: Kind
        var subtract: [Double]? = nil
        var divide: [Double]? = nil
        var multiply: [Double]? = nil
        var add: [Double]? = nil
    }

    /// One step of a pipeline as read: a linear estimator or a fitted scaler.
    enum Step: Sendable {
        case estimator(SklearnEstimator)
        case scaler(Scaler)
    }

    /// Folds scaler steps into the final linear estimator, last scaler first. For one scaler,
    /// w·z + b = Σ (w m / d)·x + (b + Σ w·a − Σ (w m / d)·s), so the pipeline runs on the same kernels.
    static func pipeline(_ steps: [Step], item: String) throws(ModelBundleError) -> SklearnEstimator {
        func invalid(_ message: String) -> ModelBundleError {
            ModelBundleError(.flavorUnavailable, "\(item): \(message); supported: \(pipelineRule)", item: item)
        }
        guard case .estimator(var estimator)? = steps.last else {
            throw invalid("the pipeline does not end in a linear estimator")
        }
        for step in steps.dropLast().reversed() {
            guard case .scaler(let scaler) = step else {
                throw invalid("only the last step of a pipeline may be an estimator")
            }
            estimator = try estimator.folding(scaler, item: item)
        }
        return estimator
    }

    private func folding(_ scaler: Scaler, item: String) throws(ModelBundleError) -> SklearnEstimator {
        func fold(_ coef: WeightTensor, _ intercept: WeightTensor) throws(ModelBundleError) -> (
            WeightTensor, WeightTensor
        ) {
            let columns = coef.shape.last ?? 0
            let rows = coef.shape.count == 2 ? coef.shape[0] : 1
            let parts = [scaler.subtract, scaler.divide, scaler.multiply, scaler.add]
            guard coef.shape.count <= 2, parts.allSatisfy({ $0.map { $0.count == columns } ?? true }) else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(item): the \(scaler.kind.shortName)'s width differs from the estimator's \(columns) features",
                    item: item
                )
            }
            var weights = coef.float64Values()
            var offsets = intercept.float64Values()
            if intercept.shape.isEmpty, rows > 1, let first = offsets.first {
                offsets = Array(repeating: first, count: rows)
            }
            guard offsets.count == rows else {
                throw ModelBundleError(.weightsInvalid, "\(item): intercept_ does not match coef_", item: item)
            }
            for row in 0..<rows {
                for column in 0..<columns {
                    let index = row * columns + column
                    if let add = scaler.add { offsets[row] += weights[index] * add[column] }
                    if let multiply = scaler.multiply { weights[index] *= multiply[column] }
                    if let divide = scaler.divide { weights[index] /= divide[column] }
                    if let subtract = scaler.subtract { offsets[row] -= weights[index] * subtract[column] }
                }
            }
            let foldedIntercept =
                intercept.shape.isEmpty && rows == 1
                ? try WeightTensor(name: "intercept_", shape: [], float64: offsets)
                : try WeightTensor(name: "intercept_", shape: [rows], float64: offsets)
            return (try WeightTensor(name: "coef_", shape: coef.shape, float64: weights), foldedIntercept)
        }
        switch self {
        case .trees(let model):
            throw ModelBundleError(
                .flavorUnavailable,
                "\(item): a \(scaler.kind.shortName) step before \(model.estimator) is not supported; trees need no scaling, "
                    + "so log the estimator alone",
                item: item
            )
        case .voting, .stacking, .calibrated:
            throw ModelBundleError(
                .flavorUnavailable,
                "\(item): scalers are not folded into an ensemble",
                item: item
            )
        case .linearRegression(let coef, let intercept):
            let (newCoef, newIntercept) = try fold(coef, intercept)
            return .linearRegression(coef: newCoef, intercept: newIntercept)
        case .logisticRegression(let coef, let intercept, let classes, let strategy):
            let (newCoef, newIntercept) = try fold(coef, intercept)
            return .logisticRegression(coef: newCoef, intercept: newIntercept, classes: classes, strategy: strategy)
        case .linearClassifier(let coef, let intercept, let classes, let strategy, let probabilities):
            let (newCoef, newIntercept) = try fold(coef, intercept)
            return .linearClassifier(
                coef: newCoef,
                intercept: newIntercept,
                classes: classes,
                strategy: strategy,
                probabilities: probabilities
            )
        }
    }

    /// What a pipeline may hold, for error messages.
    static var pipelineRule: String {
        "any number of "
            + Kind.allCases.filter { $0.role == .scaler }.map(\.shortName).joined(separator: ", ")
            + " steps, then one of "
            + Kind.allCases.filter { $0.role == .estimator }.map(\.shortName).joined(separator: ", ")
    }

    /// The supported class names, for error messages.
    static var supportedList: String {
        Kind.allCases.filter { [.estimator, .treeModel].contains($0.role) }.map(\.rawValue)
            .joined(separator: ", ") + " (each also inside a TransformedTargetRegressor whose transformer_ is a "
            + "StandardScaler or a FunctionTransformer with a numpy inverse_func), or a Pipeline ending in one of "
            + "them, whose steps may be "
            + SklearnPreprocessingState.supportedSteps
    }

    /// The refusal for a file whose top-level object predicts nothing (a lone scaler, or a part
    /// such as a LabelBinarizer).
    static func loneScalerError(fileName: String, kind: Kind = .standardScaler) -> ModelBundleError {
        ModelBundleError(
            .flavorUnavailable,
            "\(fileName) holds a lone \(kind.shortName), which transforms data but predicts nothing; log the "
                + "Pipeline that ends in the estimator instead; supported: " + supportedList,
            item: kind.rawValue
        )
    }
}
