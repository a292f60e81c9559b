import ModelBundle

/// A scikit-learn estimator this build can run natively, with the fitted arrays it needs.
///
/// The allowlist of classes lives here, in our code: a bundle's own `skops_trusted_types` is never
/// consulted (security.md §0.1). Nothing named by a bundle is imported or executed; a class name
/// only selects one of these cases.
enum SklearnEstimator: Sendable {
    case logisticRegression(
        coef: WeightTensor,
        intercept: WeightTensor,
        classes: LinearModelFlavorConfiguration.ClassLabels,
        strategy: MultiClassStrategy
    )
    /// `LinearRegression` and `Ridge`: `coef_` [n] or [k, n], `intercept_` a scalar or [k].
    case linearRegression(coef: WeightTensor, intercept: WeightTensor)

    /// What scikit-learn calls each supported class, fully qualified as skops records it.
    enum Kind: String, CaseIterable, Sendable {
        case logisticRegression = "sklearn.linear_model._logistic.LogisticRegression"
        case linearRegression = "sklearn.linear_model._base.LinearRegression"
        case ridge = "sklearn.linear_model._ridge.Ridge"
        /// Only as a step of a pipeline, folded into the final estimator's weights.
        case standardScaler = "sklearn.preprocessing._data.StandardScaler"
        /// StandardScaler steps followed by one linear estimator.
        case pipeline = "sklearn.pipeline.Pipeline"
    }

    /// One step of a pipeline as read: a linear estimator, or a fitted scaler (`mean` nil when
    /// `with_mean=False`, `scale` nil when `with_std=False`).
    enum Step: Sendable {
        case estimator(SklearnEstimator)
        case scaler(mean: [Double]?, scale: [Double]?)
    }

    /// Folds `StandardScaler` steps into the final linear estimator: for z = (x − mean) / scale,
    /// w·z + b = (w / scale)·x + (b − Σ w·mean / scale), so the pipeline runs on the same kernels.
    static func pipeline(_ steps: [Step], item: String) throws(ModelBundleError) -> SklearnEstimator {
        func invalid(_ message: String) -> ModelBundleError {
            ModelBundleError(
                .flavorUnavailable,
                "\(item): \(message); supported: StandardScaler steps then one of "
                    + "LogisticRegression, LinearRegression, Ridge",
                item: item
            )
        }
        guard case .estimator(var estimator)? = steps.last else {
            throw invalid("the pipeline does not end in a linear estimator")
        }
        for step in steps.dropLast().reversed() {
            guard case .scaler(let mean, let scale) = step else {
                throw invalid("only the last step of a pipeline may be an estimator")
            }
            estimator = try estimator.folding(mean: mean, scale: scale, item: item)
        }
        return estimator
    }

    private func folding(mean: [Double]?, scale: [Double]?, item: String) throws(ModelBundleError) -> SklearnEstimator {
        func fold(_ coef: WeightTensor, _ intercept: WeightTensor) throws(ModelBundleError) -> (
            WeightTensor, WeightTensor
        ) {
            let columns = coef.shape.last ?? 0
            let rows = coef.shape.count == 2 ? coef.shape[0] : 1
            guard coef.shape.count <= 2, mean.map({ $0.count == columns }) ?? true,
                scale.map({ $0.count == columns }) ?? true
            else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(item): the scaler's width differs from the estimator's \(columns) features",
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
                    if let scale { weights[index] /= scale[column] }
                    if let mean { offsets[row] -= weights[index] * mean[column] }
                }
            }
            let foldedIntercept =
                intercept.shape.isEmpty && rows == 1
                ? try WeightTensor(name: "intercept_", shape: [], float64: offsets)
                : try WeightTensor(name: "intercept_", shape: [rows], float64: offsets)
            return (try WeightTensor(name: "coef_", shape: coef.shape, float64: weights), foldedIntercept)
        }
        switch self {
        case .linearRegression(let coef, let intercept):
            let (newCoef, newIntercept) = try fold(coef, intercept)
            return .linearRegression(coef: newCoef, intercept: newIntercept)
        case .logisticRegression(let coef, let intercept, let classes, let strategy):
            let (newCoef, newIntercept) = try fold(coef, intercept)
            return .logisticRegression(coef: newCoef, intercept: newIntercept, classes: classes, strategy: strategy)
        }
    }

    /// The supported class names, for error messages.
    static var supportedList: String {
        Kind.allCases.map(\.rawValue).joined(separator: ", ")
            + " (a pipeline: StandardScaler steps, then one estimator)"
    }

    /// The refusal for a file whose top-level object is a lone `StandardScaler` (it predicts nothing).
    static func loneScalerError(fileName: String) -> ModelBundleError {
        ModelBundleError(
            .flavorUnavailable,
            "\(fileName) holds a lone StandardScaler, which predicts nothing; supported: " + supportedList,
            item: Kind.standardScaler.rawValue
        )
    }
}
