/// The univariate score functions a fitted `SelectKBest` or `SelectPercentile` names as `score_func`.
/// Selection at predict time reads only the fitted `scores_`, so the function is an inert name: never
/// imported, never called. Any other function stays refused by both readers.
enum SklearnScoreFunction {
    static let names: Set<String> = [
        "sklearn.feature_selection._univariate_selection.f_classif",
        "sklearn.feature_selection._univariate_selection.f_regression",
        "sklearn.feature_selection._univariate_selection.r_regression",
        "sklearn.feature_selection._univariate_selection.chi2",
        "sklearn.feature_selection._univariate_selection.f_oneway",
        "sklearn.feature_selection._mutual_info.mutual_info_classif",
        "sklearn.feature_selection._mutual_info.mutual_info_regression",
    ]
}
