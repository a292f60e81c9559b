/// How a logistic regression turns its decision scores into class probabilities.
///
/// The raw values are the `multi_class` strings of the `logistic_regression` flavor in `MLmodel`.
public enum MultiClassStrategy: String, Sendable, Hashable, CaseIterable {
    /// Two classes, one row of coefficients: `p = 1 / (1 + e^-d)`, probabilities `[1 - p, p]`.
    case binary
    /// k ≥ 2 classes, one row each: softmax over the k scores.
    case multinomial
    /// One-vs-rest, k ≥ 2 rows: a sigmoid per class, normalised to sum to 1 (scikit-learn's
    /// `_predict_proba_lr`; a row whose sigmoids are all 0 becomes uniform).
    case ovr
}
