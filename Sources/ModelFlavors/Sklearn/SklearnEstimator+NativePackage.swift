import ModelBundle

extension SklearnEstimator {
    /// The native linear model that predicts what this estimator predicts, for `mbundle convert`.
    ///
    /// The weights are carried over unchanged (same dtype, so the kernels see the same numbers and the
    /// output is byte-identical to running the sklearn bundle); only their shape is normalised to the
    /// native `coef` [k, n] and `intercept` [k]. No signature or example is set: the caller keeps the
    /// original bundle's.
    ///
    /// - Throws: `flavorUnavailable` naming `flavors.python_function.predict_fn` when the estimator does
    ///   not offer `predictFunction`, or naming `coef_` for a shape the native flavor cannot reproduce.
    func nativePackage(predictFunction: String, fileName: String) throws(ModelBundleError) -> LinearModelPackage {
        switch self {
        case .voting, .stacking, .calibrated:
            throw ModelBundleError(
                .flavorUnavailable,
                "an ensemble (voting, stacking or calibrated) runs from the sklearn bundle, but the native flavors hold one model each, so it is "
                    + "not converted: serve or predict the MLflow bundle as it is",
                item: fileName
            )
        case .trees(let model):
            // The native tree_ensemble writer lands on branch `trees`; until then convert refuses by name.
            throw ModelBundleError(
                .flavorUnavailable,
                "\(model.estimator) runs from the sklearn bundle, but this build cannot convert it to a native "
                    + "bundle yet (the tree_ensemble flavor's writer is not in this build)",
                item: fileName
            )
        case .logisticRegression(let coef, let intercept, let classes, let strategy):
            guard ["predict", "predict_proba", "decision_function"].contains(predictFunction) else {
                throw SklearnEstimatorModelBuilder.unsupportedFunction(
                    predictFunction,
                    "a logistic regression",
                    ["predict", "predict_proba", "decision_function"]
                )
            }
            return Self.logisticPackage(coef, intercept, classes, strategy, predictFunction)
        case .linearClassifier(let coef, let intercept, let classes, let strategy, let probabilities):
            // The decision function and its argmax are the native logistic flavor's (binary: > 0 picks
            // classes[1]; one-vs-rest: the first largest score); its probabilities are logistic ones.
            switch (predictFunction, probabilities) {
            case ("predict", _), ("decision_function", _):
                break
            case ("predict_proba", .modifiedHuber):
                throw ModelBundleError(
                    .flavorUnavailable,
                    "MLmodel field flavors.python_function.predict_fn is predict_proba of an SGDClassifier with "
                        + "loss='modified_huber', whose probabilities are not the logistic ones of the native "
                        + "logistic_regression flavor, so the bundle cannot be converted with identical output; "
                        + "run the MLflow bundle with mbundle predict as it is",
                    item: "flavors.python_function.predict_fn"
                )
            case (_, .unavailable(let what)):
                throw SklearnEstimatorModelBuilder.unsupportedFunction(
                    predictFunction,
                    what,
                    ["predict", "decision_function"]
                )
            case (_, .modifiedHuber):
                throw SklearnEstimatorModelBuilder.unsupportedFunction(
                    predictFunction,
                    "an SGDClassifier",
                    ["predict", "predict_proba", "decision_function"]
                )
            }
            return Self.logisticPackage(
                coef,
                try Self.interceptPerRow(intercept, coef),
                classes,
                strategy,
                predictFunction
            )
        case .linearRegression(let coef, let intercept):
            guard predictFunction == "predict" else {
                throw SklearnEstimatorModelBuilder.unsupportedFunction(
                    predictFunction,
                    "a linear regression",
                    ["predict"]
                )
            }
            // scikit-learn predicts [rows] for a 1-D coef_ and [rows, k] for a 2-D one, even when k is 1;
            // the native flavor gives [rows] for one target, so [1, n] cannot be reproduced exactly.
            if coef.shape.count == 2 && coef.shape[0] == 1 {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): the regression was fitted on a 2-D target of one column (coef_ [1, "
                        + "\(coef.shape[1])]), so scikit-learn predicts [rows, 1]; a native linear_regression "
                        + "predicts [rows] for one target, so the bundle cannot be converted with identical output",
                    item: "\(fileName):coef_"
                )
            }
            return LinearModelPackage(
                kind: .linearRegression,
                coef: coef,
                intercept: try Self.interceptPerRow(intercept, coef),
                predictFunction: predictFunction,
                dtype: Self.dtype(coef, intercept)
            )
        }
    }

    /// A scalar `intercept_` (fit_intercept=False stores 0.0) repeated for every row of `coef_` (every
    /// target, or every class of a one-vs-rest classifier), as numpy broadcasts it.
    private static func interceptPerRow(_ intercept: WeightTensor, _ coef: WeightTensor) throws(ModelBundleError)
        -> WeightTensor
    {
        let rows = coef.shape.count == 2 ? coef.shape[0] : 1
        guard intercept.shape.isEmpty && rows > 1 else { return intercept }
        let repeated = [Double](repeating: intercept.float64Values().first ?? 0, count: rows)
        return intercept.dtype == .float32
            ? try WeightTensor(name: "intercept", shape: [rows], float32: repeated.map { Float($0) })
            : try WeightTensor(name: "intercept", shape: [rows], float64: repeated)
    }

    /// A native `logistic_regression` package: the decision function, its argmax and (for a logistic
    /// regression) its probabilities are the native flavor's.
    private static func logisticPackage(
        _ coef: WeightTensor,
        _ intercept: WeightTensor,
        _ classes: LinearModelFlavorConfiguration.ClassLabels,
        _ strategy: MultiClassStrategy,
        _ predictFunction: String
    ) -> LinearModelPackage {
        LinearModelPackage(
            kind: .logisticRegression,
            coef: coef,
            intercept: intercept,
            classes: classes,
            multiClass: strategy,
            predictFunction: predictFunction,
            dtype: dtype(coef, intercept)
        )
    }

    /// float32 only when both arrays are float32, as the sklearn flavor computes
    /// (``SklearnEstimatorModelBuilder``); anything else runs in float64.
    private static func dtype(_ coef: WeightTensor, _ intercept: WeightTensor)
        -> LinearModelFlavorConfiguration.ScalarType
    {
        coef.dtype == .float32 && intercept.dtype == .float32 ? .float32 : .float64
    }
}
