import ModelBundle

/// The refusal of feature values float32 cannot hold (±infinity, or a finite double beyond its
/// range) where the source library refuses them before its trees run: scikit-learn's trees and
/// GradientBoosting (`check_array` with `dtype=float32`: "Input X contains infinity or a value too
/// large for dtype('float32')") and an XGBoost `Booster` scoring a `DMatrix` ("Input data contains
/// `inf` or a value too large"). XGBoost's scikit-learn wrappers predict in place and accept them,
/// as do LightGBM and HistGradientBoosting, so those models do not check.
enum Float32InputCheck: Sendable {
    case scikitLearn(estimator: String)
    case xgboostDMatrix

    /// Throws for the first value in `values` (rows of `width` features) that float32 cannot hold.
    func check(_ values: [Double], width: Int, rowOffset: Int) throws(ModelBundleError) {
        // One branch-free pass (it vectorizes); the value is only located when there is one. A value
        // just above the largest float32 that rounds down to it passes, as numpy's cast does.
        let largest = Double(Float.greatestFiniteMagnitude)
        var beyond = 0
        values.withUnsafeBufferPointer { buffer in
            for value in buffer { beyond &+= value.magnitude > largest ? 1 : 0 }
        }
        guard beyond > 0, width > 0, let index = values.firstIndex(where: { Float($0).isInfinite }) else { return }
        let row = rowOffset + index / width
        let why =
            switch self {
            case .scikitLearn(let estimator):
                "\(estimator) reads features as float32 and refuses it, as scikit-learn's predict does"
            case .xgboostDMatrix:
                "an XGBoost Booster reads features as float32 and refuses it (\"Input data contains `inf` or a "
                    + "value too large\")"
            }
        throw ModelBundleError(
            .inputInvalid,
            "row \(row) feature \(index % width): \(values[index]) is infinite or too large for float32; \(why)",
            item: "row \(row)"
        )
    }
}
