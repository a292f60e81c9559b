import ModelBundle
import SystemPlatform

/// `SelectFromModel`'s mask, as scikit-learn 1.9.1's `_from_model.py` computes it from the fitted
/// `estimator_`: its importances (`coef_`: `abs` of a vector, or the `norm_order` norm of each column
/// of a matrix; a tree's or forest's `feature_importances_`, ``SklearnFeatureImportances``), the threshold (a number, `"mean"`, `"median"`, `"k*mean"`, `"k*median"`, or by
/// default 1e-5 for an L1-penalised model and the mean otherwise), then the `max_features_` largest
/// (a stable sort) among those at or above it.
enum SklearnModelSelection {
    static func support(_ source: any SklearnAttributeSource, name: String, width: Int) throws(ModelBundleError)
        -> [Int]
    {
        guard case .object(let estimator)? = try source.data("estimator_") else {
            throw source.invalid("estimator_", "is not a fitted estimator (was the SelectFromModel fitted?)")
        }
        let getter = source.text("importance_getter") ?? "auto"
        guard ["auto", "coef_", "feature_importances_"].contains(getter) else {
            throw ModelBundleError(
                .flavorUnavailable,
                "preprocessing step \(name): SelectFromModel with importance_getter='\(getter)' is not read; "
                    + "'auto', 'coef_' and 'feature_importances_' are",
                item: "\(name).importance_getter"
            )
        }
        let scores = try importances(estimator.source, name: name, normOrder: try normOrder(source), width: width)
        let threshold = try self.threshold(source, estimator: estimator.source, scores: scores)
        var mask = [Bool](repeating: true, count: width)
        switch try source.data("max_features_") {
        case nil, .null?: break
        case let value?:
            guard let limit = value.double, limit >= 0, limit == limit.rounded() else {
                throw source.invalid("max_features_", "is not a non-negative integer")
            }
            // np.argsort(-score, kind="mergesort")[:max_features]: stable, so ties keep feature order.
            let order = scores.indices.sorted { (-scores[$0], $0) < (-scores[$1], $1) }
            mask = [Bool](repeating: false, count: width)
            for index in order.prefix(Int(min(limit, Double(width)))) { mask[index] = true }
        }
        for index in scores.indices where scores[index] < threshold { mask[index] = false }
        return mask.indices.filter { mask[$0] }
    }

    private static func normOrder(_ source: any SklearnAttributeSource) throws(ModelBundleError) -> Double {
        guard let order = try source.data("norm_order")?.double ?? Optional(1), order >= 1 || order == 0,
            order == order.rounded() || order.isInfinite
        else {
            throw source.invalid("norm_order", "is not a norm order this build computes (a positive integer or inf)")
        }
        return order
    }

    /// `_get_feature_importances(..., transform_func="norm")` of a linear model's `coef_`.
    private static func importances(
        _ estimator: any SklearnAttributeSource,
        name: String,
        normOrder: Double,
        width: Int
    ) throws(ModelBundleError) -> [Double] {
        if let trees = estimator as? any SklearnTreeSource,
            let importances = try SklearnFeatureImportances.importances(trees, width: width)
        {
            return importances
        }
        guard estimator.kind.role == .estimator, let coef = try? estimator.array("coef_"), coef.dtype.isFloatingPoint
        else {
            throw ModelBundleError(
                .flavorUnavailable,
                "preprocessing step \(name): SelectFromModel over a \(estimator.kind.shortName) is not read; over a "
                    + "linear model (its coef_), a decision tree or a random or extra-trees forest "
                    + "(feature_importances_) it is",
                item: "\(name).estimator_"
            )
        }
        let values = coef.float64Values()
        if coef.shape.count == 1 {
            guard coef.shape[0] == width else {
                throw estimator.invalid("coef_", "has \(coef.shape[0]) values for \(width) features")
            }
            return values.map(\.magnitude)
        }
        guard coef.shape.count == 2, coef.shape[1] == width, coef.shape[0] >= 1 else {
            throw estimator.invalid("coef_", "has shape \(coef.shape); expected [\(width)] or [outputs, \(width)]")
        }
        let rows = coef.shape[0]
        // np.linalg.norm(coef_, axis=0, ord): a reduction over rows, added row by row.
        return (0..<width).map { column in
            let entries = (0..<rows).map { values[$0 * width + column].magnitude }
            switch normOrder {
            case 1: return entries.reduce(0, +)
            case 2: return entries.reduce(0) { $0 + $1 * $1 }.squareRoot()
            case .infinity: return entries.max() ?? 0
            case 0: return Double(entries.count { $0 != 0 })
            default:
                let sum = entries.reduce(0) { $0 + SystemPlatform.pow($1, normOrder) }
                return SystemPlatform.pow(sum, 1 / normOrder)
            }
        }
    }

    /// `_calculate_threshold`.
    private static func threshold(
        _ source: any SklearnAttributeSource,
        estimator: any SklearnAttributeSource,
        scores: [Double]
    ) throws(ModelBundleError) -> Double {
        switch try source.data("threshold") {
        case nil, .null?:
            return isL1Penalised(estimator) ? 1e-5 : mean(scores)
        case .string(let text)?:
            let parts = text.split(separator: "*", omittingEmptySubsequences: false)
            let scale: Double
            let reference: Substring
            if parts.count == 2, let parsed = Double(trimmed(parts[0])) {
                (scale, reference) = (parsed, trimmed(parts[1]))
            } else if parts.count == 1 {
                (scale, reference) = (1, parts[0])
            } else {
                throw source.invalid("threshold", "is '\(text)'; expected a number, mean, median or k*mean / k*median")
            }
            switch reference {
            case "mean": return parts.count == 2 ? scale * mean(scores) : mean(scores)
            case "median": return parts.count == 2 ? scale * median(scores) : median(scores)
            default:
                throw source.invalid("threshold", "is '\(text)'; expected a number, mean, median or k*mean / k*median")
            }
        case let value?:
            guard let number = value.double else { throw source.invalid("threshold", "is not a number or a string") }
            return number
        }
    }

    /// The estimators for which scikit-learn's natural threshold is 1e-5 rather than the mean.
    private static func isL1Penalised(_ estimator: any SklearnAttributeSource) -> Bool {
        let name = estimator.kind.shortName
        func close(_ attribute: String) -> Bool {
            guard let values = try? estimator.data(attribute) else { return false }
            let numbers: [Double?] =
                if case .array(let tensor) = values { tensor.float64Values().map { $0 } } else { [values.double] }
            // np.isclose(x, 1.0): |x − 1| <= 1e-8 + 1e-5.
            return !numbers.isEmpty && numbers.allSatisfy { $0.map { abs($0 - 1.0) <= 1e-8 + 1e-5 } ?? false }
        }
        if estimator.text("penalty") == "l1" || name.contains("Lasso") { return true }
        switch name {
        case "ElasticNet", "LogisticRegression": return close("l1_ratio")
        case "ElasticNetCV", "LogisticRegressionCV": return close("l1_ratio_")
        default: return false
        }
    }

    /// Python's `str.strip()` of spaces and tabs.
    private static func trimmed(_ text: Substring) -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let start = text.drop(while: blank)
        guard let last = start.lastIndex(where: { !blank($0) }) else { return start[start.endIndex...] }
        return start[...last]
    }

    /// `np.mean`: numpy's pairwise sum divided by the count.
    private static func mean(_ values: [Double]) -> Double {
        SklearnTreeReading.numpySum(values[...]) / Double(values.count)
    }

    /// `np.median`: the middle of the sorted values, or the mean of the two middles.
    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        return (sorted[middle - 1] + sorted[middle]) / 2
    }
}
