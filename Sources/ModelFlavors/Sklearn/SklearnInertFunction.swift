/// The functions a fitted model file may name as data: read as names, never imported or called.
/// Any other function stays refused by both readers.
enum SklearnInertFunction {
    /// The univariate score functions a fitted `SelectKBest` or `SelectPercentile` names as
    /// `score_func`. Selection at predict time reads only the fitted `scores_`.
    static let scoreFunctions: Set<String> = [
        "sklearn.feature_selection._univariate_selection.f_classif",
        "sklearn.feature_selection._univariate_selection.f_regression",
        "sklearn.feature_selection._univariate_selection.r_regression",
        "sklearn.feature_selection._univariate_selection.chi2",
        "sklearn.feature_selection._univariate_selection.f_oneway",
        "sklearn.feature_selection._mutual_info.mutual_info_classif",
        "sklearn.feature_selection._mutual_info.mutual_info_regression",
    ]

    /// The numpy ufuncs a `FunctionTransformer` may name as `func` or `inverse_func` (pickle and skops
    /// both write `numpy.<name>`); the step computes them itself (``ElementwiseFunction``).
    static func elementwise(_ qualifiedName: String) -> ElementwiseFunction? {
        guard qualifiedName.hasPrefix("numpy.") else { return nil }
        return ElementwiseFunction(rawValue: String(qualifiedName.dropFirst("numpy.".count)))
    }

    /// Parts of a fitted object's state that name a function prediction never calls: a scipy
    /// `BSpline`'s `_asarray` (its array namespace's `asarray`).
    static let stateFunctions: Set<String> = ["scipy._lib.array_api_compat.numpy._aliases.asarray"]

    static func isInert(_ qualifiedName: String) -> Bool {
        scoreFunctions.contains(qualifiedName) || stateFunctions.contains(qualifiedName)
            || elementwise(qualifiedName) != nil
    }
}
