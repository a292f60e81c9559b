import ModelBundle

/// Maps the fitted attributes of one allowlisted class onto a pipeline step: the per-class rules
/// (which arrays, how classes and strategy are found, which options are refused), shared by the
/// skops and the pickle readers. Pipelines are assembled by the readers, which know their nesting.
enum SklearnEstimatorState {
    /// The losses whose `SGDClassifier._loss_function_` object a file may carry (a skops `LossNode`,
    /// a pickle REDUCE of the class with its numeric arguments); only `loss` is read for prediction.
    static let lossFunctions: Set<String> = [
        "sklearn.linear_model._sgd_fast.Hinge",
        "sklearn.linear_model._sgd_fast.ModifiedHuber",
        "sklearn._loss._loss.CyHalfBinomialLoss",
    ]

    static func step(_ source: some SklearnAttributeSource, fileName: String) throws(ModelBundleError)
        -> SklearnEstimator.Step
    {
        let kind = source.kind
        switch kind {
        case .votingClassifier, .votingRegressor:
            return .estimator(.voting(try SklearnVoting.read(source, fileName: fileName)))
        case .stackingClassifier, .stackingRegressor:
            return .estimator(.stacking(try SklearnStacking.read(source, fileName: fileName)))
        case .calibratedClassifierCV:
            return .estimator(.calibrated(try SklearnCalibrated.read(source, fileName: fileName)))
        case .decisionTreeClassifier, .decisionTreeRegressor, .extraTreeClassifier, .extraTreeRegressor,
            .randomForestClassifier, .randomForestRegressor, .extraTreesClassifier, .extraTreesRegressor,
            .gradientBoostingClassifier, .gradientBoostingRegressor, .histGradientBoostingClassifier,
            .histGradientBoostingRegressor, .tree, .treePredictor, .binMapper, .dummyClassifier, .dummyRegressor,
            .xgbClassifier, .xgbRegressor, .lgbmClassifier, .lgbmRegressor, .xgboostBooster, .lightgbmBooster,
            .xgbRFClassifier, .xgbRFRegressor, .xgbRanker, .lgbmRanker, .isolationForest, .baggingClassifier,
            .baggingRegressor, .adaBoostClassifier, .adaBoostRegressor:
            guard let trees = source as? any SklearnTreeSource else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): \(kind.shortName) is read from skops files only in this build",
                    item: kind.rawValue
                )
            }
            return .estimator(.trees(try SklearnTreeState.model(trees, fileName: fileName)))
        case .pipeline, .labelBinarizer, .missingIndicator, .columnTransformer, .featureUnion, .simpleImputer,
            .oneHotEncoder, .ordinalEncoder, .targetEncoder, .robustScaler, .polynomialFeatures, .kBinsDiscretizer,
            .varianceThreshold, .selectKBest, .selectPercentile, .rfe, .rfecv, .sequentialFeatureSelector,
            .selectFromModel, .functionTransformer, .pca, .incrementalPCA,
            .truncatedSVD, .powerTransformer, .quantileTransformer, .splineTransformer, .bSpline,
            .transformedTargetRegressor, .calibratedClassifier,
            .sigmoidCalibration, .isotonicRegression:
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName) holds a \(kind.shortName) where a scaler or an estimator belongs; supported: "
                    + SklearnEstimator.supportedList,
                item: kind.rawValue
            )
        case .standardScaler:
            // with_mean=False / with_std=False leave mean_ / scale_ None: that part is the identity.
            return .scaler(
                SklearnEstimator.Scaler(
                    kind: kind,
                    subtract: source.bool("with_mean") ?? true ? try source.array("mean_").float64Values() : nil,
                    divide: source.bool("with_std") ?? true ? try source.array("scale_").float64Values() : nil
                )
            )
        case .minMaxScaler, .maxAbsScaler:
            // clip=True bounds transformed values to feature_range (MinMaxScaler) or [-1, 1]
            // (MaxAbsScaler): not an affine map, so it cannot be folded into the weights.
            if source.bool("clip") == true {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): \(kind.shortName)(clip=True) clips transformed values, which this build "
                        + "cannot fold into a linear model; refit with clip=False (the default)",
                    item: "\(fileName):\(kind.shortName).clip"
                )
            }
            let scale = try source.array("scale_").float64Values()
            return kind == .minMaxScaler
                ? .scaler(.init(kind: kind, multiply: scale, add: try source.array("min_").float64Values()))
                : .scaler(.init(kind: kind, divide: scale))
        case .linearRegression, .ridge, .lasso, .elasticNet, .sgdRegressor, .linearSVR, .ridgeCV, .lassoCV,
            .elasticNetCV, .multiTaskLasso, .multiTaskElasticNet, .multiTaskLassoCV, .multiTaskElasticNetCV, .lars,
            .larsCV, .lassoLars, .lassoLarsCV, .lassoLarsIC, .orthogonalMatchingPursuit, .orthogonalMatchingPursuitCV,
            .bayesianRidge, .ardRegression, .huberRegressor, .theilSenRegressor, .quantileRegressor,
            .passiveAggressiveRegressor:
            let coef = try source.array("coef_")
            return .estimator(
                .linearRegression(coef: coef, intercept: try source.intercept(matching: coef))
            )
        case .logisticRegression, .logisticRegressionCV:
            let classes = try source.labels("classes_")
            let multiClass = source.text("multi_class")
            // Two classes: one row of coefficients. More: softmax, except where scikit-learn fitted
            // one-vs-rest (multi_class="ovr", or "auto" with liblinear in releases that had the option).
            let strategy: MultiClassStrategy =
                classes.count == 2
                ? .binary
                : (multiClass == "ovr" || (multiClass != "multinomial" && source.text("solver") == "liblinear"))
                    ? .ovr : .multinomial
            return .estimator(
                .logisticRegression(
                    coef: try source.array("coef_"),
                    intercept: try source.array("intercept_"),
                    classes: classes,
                    strategy: strategy
                )
            )
        case .ridgeClassifier, .ridgeClassifierCV:
            // classes_ is LabelBinarizer's; a multilabel fit predicts an indicator matrix instead.
            let binarizer = try source.part("_label_binarizer")
            let targetType = binarizer.text("y_type_") ?? "(missing)"
            guard targetType == "binary" || targetType == "multiclass" else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): this \(kind.shortName) was fitted on \(targetType) targets; only binary and "
                        + "multiclass ones are supported",
                    item: "\(fileName):_label_binarizer.y_type_"
                )
            }
            return try classifier(
                source,
                classes: try binarizer.labels("classes_"),
                probabilities: .unavailable("a \(kind.shortName)")
            )
        case .linearSVC, .perceptron, .passiveAggressiveClassifier:
            return try classifier(
                source,
                classes: try source.labels("classes_"),
                probabilities: .unavailable("a \(kind.shortName)")
            )
        case .sgdClassifier:
            let classes = try source.labels("classes_")
            let loss = source.text("loss") ?? "hinge"
            switch loss {
            case "log_loss":
                // predict_proba is _predict_proba_lr: the sigmoid (binary) or normalised one-vs-rest sigmoids.
                return .estimator(
                    .logisticRegression(
                        coef: try source.array("coef_"),
                        intercept: try source.array("intercept_"),
                        classes: classes,
                        strategy: classes.count == 2 ? .binary : .ovr
                    )
                )
            case "modified_huber":
                return try classifier(source, classes: classes, probabilities: .modifiedHuber)
            default:
                return try classifier(
                    source,
                    classes: classes,
                    probabilities: .unavailable("an SGDClassifier with loss='\(loss)'")
                )
            }
        }
    }

    /// A decision-function classifier: one row of coef_ for two classes, one per class otherwise.
    private static func classifier(
        _ source: some SklearnAttributeSource,
        classes: LinearModelFlavorConfiguration.ClassLabels,
        probabilities: SklearnEstimator.ClassifierProbabilities
    ) throws(ModelBundleError) -> SklearnEstimator.Step {
        var coef = try source.array("coef_")
        if coef.shape.count == 1, classes.count == 2 {
            // A binary RidgeClassifier fits one target, and Ridge ravels its coef_ to [n] (its
            // intercept_ is then a scalar): the same single row of a binary decision function.
            coef = try WeightTensor(name: coef.name, dtype: coef.dtype, shape: [1] + coef.shape, bytes: coef.bytes)
        }
        return .estimator(
            .linearClassifier(
                coef: coef,
                intercept: try source.intercept(matching: coef),
                classes: classes,
                strategy: classes.count == 2 ? .binary : .ovr,
                probabilities: probabilities
            )
        )
    }
}

extension SklearnAttributeSource {
    /// `intercept_` as numpy adds it to `X @ coef_.T`: a plain Python float (scikit-learn's 0.0 when
    /// `fit_intercept=False`) is a weak scalar that takes a float32 `coef_`'s type (NEP 50, as numpy 1's
    /// value-based casting did), so the model predicts in float32 as scikit-learn does. A numpy scalar
    /// or array keeps its own type.
    func intercept(matching coef: WeightTensor) throws(ModelBundleError) -> WeightTensor {
        let intercept = try array("intercept_")
        guard coef.dtype == .float32, intercept.dtype == .float64, intercept.shape.isEmpty,
            case .float(let value)? = try data("intercept_")
        else { return intercept }
        return try WeightTensor(name: intercept.name, shape: [], float32: [Float(value)])
    }
}
