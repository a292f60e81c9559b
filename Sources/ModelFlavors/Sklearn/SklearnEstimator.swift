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
    }

    /// The supported class names, for error messages.
    static var supportedList: String {
        Kind.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
