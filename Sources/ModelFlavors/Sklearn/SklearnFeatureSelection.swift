import ModelBundle

/// Feature selectors as pipeline steps. Their `transform` keeps the columns of `_get_support_mask()`
/// unchanged, so each becomes a positional column selection with one passthrough branch; the mask is
/// computed here from the fitted attributes, as scikit-learn 1.9.1 computes it
/// (`feature_selection/_variance_threshold.py`, `_univariate_selection.py`, `_from_model.py`), or
/// read from the fitted `support_` (`_rfe.py`, `_sequential.py`).
enum SklearnFeatureSelection {
    static func selection(_ source: any SklearnAttributeSource, name: String, width: Int)
        throws(ModelBundleError) -> PreprocessingStep.ColumnSelection
    {
        // The reader lets numpy ufuncs through as names too (FunctionTransformer); a selector's
        // score_func must be one of scikit-learn's score functions.
        if case .function(let function)? = try source.data("score_func"),
            !SklearnInertFunction.scoreFunctions.contains(function)
        {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(name) is a \(source.kind.shortName) whose score_func is \(function), not one of scikit-learn's "
                    + "score functions; this build never runs code from a model file",
                item: name
            )
        }
        let kept: [Int]
        switch source.kind {
        case .varianceThreshold: kept = try varianceSupport(source, width: width)
        case .selectKBest: kept = try kBestSupport(source, scores: try scores(source, width: width))
        case .selectPercentile: kept = try percentileSupport(source, scores: try scores(source, width: width))
        case .rfe, .rfecv, .sequentialFeatureSelector: kept = try fittedSupport(source, width: width)
        case .selectFromModel: kept = try SklearnModelSelection.support(source, name: name, width: width)
        default: throw source.invalid("", "is not a feature selector")
        }
        guard !kept.isEmpty else {
            throw ModelBundleError(
                .weightsInvalid,
                "preprocessing step \(name): the \(source.kind.shortName) keeps no feature",
                item: name
            )
        }
        let keep = PreprocessingStep(name: "\(name)/support", inputWidth: kept.count, kind: .passthrough)
        return .init(
            branches: [.init(step: keep, columns: kept)],
            inputNames: nil,
            refusesNonFinite: try refusesNonFinite(source)
        )
    }

    /// Whether the selector's `transform` refuses NaN and infinity: `SelectorMixin.transform` validates
    /// with `ensure_all_finite=not allow_nan`. The univariate selectors do not allow NaN;
    /// VarianceThreshold does; RFE, RFECV, SequentialFeatureSelector and SelectFromModel take their
    /// estimator's tag, which scikit-learn 1.9 sets for its trees, forests and HistGradientBoosting and
    /// not for linear models or GradientBoosting.
    private static func refusesNonFinite(_ source: any SklearnAttributeSource) throws(ModelBundleError) -> Bool {
        switch source.kind {
        case .varianceThreshold: return false
        case .selectKBest, .selectPercentile: return true
        default:
            var member = try source.data("estimator_")
            if member == nil { member = try source.data("estimator") }
            guard case .object(let estimator)? = member else { return true }
            return !allowingNaN.contains(estimator.kind)
        }
    }

    /// The estimators whose `allow_nan` tag is set in scikit-learn 1.9.
    private static let allowingNaN: Set<SklearnEstimator.Kind> = [
        .decisionTreeClassifier, .decisionTreeRegressor, .extraTreeClassifier, .extraTreeRegressor,
        .randomForestClassifier, .randomForestRegressor, .extraTreesClassifier, .extraTreesRegressor,
        .histGradientBoostingClassifier, .histGradientBoostingRegressor,
    ]

    /// RFE, RFECV and SequentialFeatureSelector keep the columns their boolean `support_` marks.
    private static func fittedSupport(_ source: any SklearnAttributeSource, width: Int) throws(ModelBundleError)
        -> [Int]
    {
        let support = try source.array("support_")
        guard support.dtype == .bool, support.shape == [width] else {
            throw source.invalid("support_", "is not a boolean array of the \(width) input features")
        }
        let values = support.float64Values()
        return values.indices.filter { values[$0] != 0 }
    }

    /// `variances_ > threshold` (a NaN variance is not above it).
    private static func varianceSupport(_ source: any SklearnAttributeSource, width: Int) throws(ModelBundleError)
        -> [Int]
    {
        let variances = try source.array("variances_").float64Values()
        guard variances.count == width else {
            throw source.invalid("variances_", "has \(variances.count) values for \(width) features")
        }
        guard let threshold = try source.data("threshold")?.double else {
            throw source.invalid("threshold", "is missing or not a number")
        }
        return variances.indices.filter { variances[$0] > threshold }
    }

    /// `scores_` with NaN replaced by the lowest double (`_clean_nans`). A constant column scores NaN,
    /// so the scores are read as data, which may hold NaN (``SklearnAttributeSource/array(_:)`` of a
    /// skops file refuses non-finite weights).
    private static func scores(_ source: any SklearnAttributeSource, width: Int) throws(ModelBundleError) -> [Double] {
        guard case .array(let tensor)? = try source.data("scores_"), tensor.dtype.isFloatingPoint else {
            throw source.invalid("scores_", "is missing or not a float array; was the selector fitted?")
        }
        let scores = tensor.float64Values()
        guard scores.count == width else {
            throw source.invalid("scores_", "has \(scores.count) values for \(width) features")
        }
        return scores.map { $0.isNaN ? -Double.greatestFiniteMagnitude : $0 }
    }

    /// SelectKBest: the last `k` of a stable ascending sort of the scores (ties: the later feature
    /// wins), or every feature for `k="all"`.
    private static func kBestSupport(_ source: any SklearnAttributeSource, scores: [Double]) throws(ModelBundleError)
        -> [Int]
    {
        let k: Int
        switch try source.data("k") {
        case .string("all")?: return Array(scores.indices)
        case .int(let value)? where value >= 0: k = Int(min(value, Int64(scores.count)))
        default: throw source.invalid("k", "is not a non-negative int or \"all\"")
        }
        let order = scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }
        return order.suffix(k).sorted()
    }

    /// SelectPercentile: the scores above numpy's linear percentile at `100 - percentile`, then the
    /// scores equal to it, in feature order, up to `int(n * percentile / 100)` features in all.
    private static func percentileSupport(_ source: any SklearnAttributeSource, scores: [Double])
        throws(ModelBundleError) -> [Int]
    {
        guard let percentile = try source.data("percentile")?.double, percentile >= 0, percentile <= 100 else {
            throw source.invalid("percentile", "is not a number from 0 to 100")
        }
        if percentile == 100 { return Array(scores.indices) }
        if percentile == 0 { return [] }
        let threshold = linearPercentile(scores.sorted(), (100 - percentile) / 100)
        var mask = scores.map { $0 > threshold }
        let ties = scores.indices.filter { scores[$0] == threshold }
        if !ties.isEmpty {
            // ties[: max_feats - mask.sum()], with Python's slice of a negative stop.
            let maxFeatures = Int(Double(scores.count) * percentile / 100)
            var stop = maxFeatures - mask.count(where: { $0 })
            if stop < 0 { stop = max(0, ties.count + stop) }
            for index in ties.prefix(stop) { mask[index] = true }
        }
        return scores.indices.filter { mask[$0] }
    }

    /// `np.percentile(sorted, quantile * 100)` with the default linear method: virtual index
    /// `(n - 1) * quantile`, then numpy's `_lerp` between its neighbours.
    static func linearPercentile(_ sorted: [Double], _ quantile: Double) -> Double {
        let virtual = Double(sorted.count - 1) * quantile
        if virtual >= Double(sorted.count - 1) { return sorted[sorted.count - 1] }
        if virtual < 0 { return sorted[0] }
        let previous = virtual.rounded(.down)
        let (a, b) = (sorted[Int(previous)], sorted[Int(previous) + 1])
        let gamma = virtual - previous
        let difference = b - a
        return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma
    }
}
