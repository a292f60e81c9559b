import ModelBundle
import SystemPlatform

/// `AdaBoostClassifier` and `AdaBoostRegressor` of decision trees, read as scikit-learn 1.9.1's
/// `ensemble/_weight_boosting.py` predicts:
/// - the classifier (SAMME, its only algorithm since 1.6): tree t votes for its `predict` class c
///   (the first largest of its leaf values) with `w = estimator_weights_[t]`, and against every
///   other class with `−1 / (K − 1) · w`; `decision_function` sums the votes in tree order from 0,
///   divides by `estimator_weights_.sum()` and, for two classes, answers `−d₀ + d₁`; `predict` takes
///   `d > 0` (two classes) or the first largest; `predict_proba` is the softmax of `[−d, d] / 2` or
///   of `d / (K − 1)`. Each leaf holds its tree's vote, so the batch kernel sums the votes.
/// - the regressor: each tree feeds its own output; `predict` sorts a row's predictions, adds
///   their weights in that order and answers the first whose running total reaches half the total.
/// Inputs must be finite (its `_check_X` validates so) and within float32 (the trees cast to it).
enum SklearnAdaBoostState {
    static func model(
        _ source: any SklearnTreeSource,
        estimator: String,
        featureCount: Int,
        classifier: Bool
    ) throws(ModelBundleError) -> SklearnTreeModel {
        if let algorithm = source.text("algorithm"), algorithm == "SAMME.R" {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(estimator) was fitted with algorithm='SAMME.R', which scikit-learn 1.6 removed; refit it with "
                    + "a current release (SAMME)",
                item: "\(estimator).algorithm"
            )
        }
        let trees = try source.objects("estimators_", limit: SklearnTreeState.maximumEstimators)
        guard !trees.isEmpty else { throw source.invalid("estimators_", "holds no trees") }
        // estimator_weights_ has one entry per boosting round; rounds after an early stop stay 0.
        let weights = try source.array("estimator_weights_").float64Values()
        guard weights.count >= trees.count, weights.allSatisfy(\.isFinite) else {
            throw source.invalid(
                "estimator_weights_",
                "holds \(weights.count) weights for \(trees.count) trees; expected one finite weight per tree"
            )
        }
        if classifier {
            return try samme(source, trees: trees, weights: weights, estimator: estimator, featureCount: featureCount)
        }
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: trees.count,
            baseScores: [Double](repeating: 0, count: trees.count),
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            task: .regression
        )
        for (index, tree) in trees.enumerated() {
            try SklearnTreeState.requireMember(
                tree,
                .decisionTreeRegressor,
                of: source,
                estimator: estimator,
                index: index
            )
            try SklearnTreeState.appendTree(
                of: tree,
                estimator: estimator,
                index: index,
                featureCount: featureCount,
                valueWidth: 1,
                to: &ensemble,
                output: index,
                leaf: { _, _ in }
            )
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        return try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: nil,
            labelRule: .weightedMedian(weights: Array(weights.prefix(trees.count))),
            flattens: true,
            rejectsNaN: true,
            estimator: estimator
        )
    }

    private static func samme(
        _ source: any SklearnTreeSource,
        trees: [any SklearnTreeSource],
        weights: [Double],
        estimator: String,
        featureCount: Int
    ) throws(ModelBundleError) -> SklearnTreeModel {
        let classes = try source.labels("classes_")
        let width = classes.count
        guard width >= 2 else { throw source.invalid("classes_", "holds \(width) class; AdaBoost needs two or more") }
        // estimator_weights_.sum(): numpy's pairwise sum over every round.
        let total = SklearnTreeReading.numpySum(weights[...])
        guard total.isFinite, total > 0 else {
            throw source.invalid("estimator_weights_", "sums to \(total); the decision divides by it")
        }
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: width,
            leafWidth: width,
            baseScores: [Double](repeating: 0, count: width),
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            task: .classification
        )
        // np.where(predict == classes, w, −1 / (n_classes − 1) · w), as Python evaluates it.
        let against = -1.0 / Double(width - 1)
        for (index, tree) in trees.enumerated() {
            try SklearnTreeState.requireMember(
                tree,
                .decisionTreeClassifier,
                of: source,
                estimator: estimator,
                index: index
            )
            // The tree was fitted on the same y: the same sorted classes, which its values index.
            guard try tree.labels("classes_").count == width else {
                throw source.invalid("estimators_", "tree \(index) knows a different number of classes than classes_")
            }
            let w = weights[index]
            try SklearnTreeState.appendTree(
                of: tree,
                estimator: estimator,
                index: index,
                featureCount: featureCount,
                valueWidth: width,
                to: &ensemble,
                output: 0,
                leaf: { leaves, range in
                    let vote = SklearnVotingModel.firstLargest(leaves[range])
                    for k in range { leaves[k] = k - range.lowerBound == vote ? w : against * w }
                }
            )
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        return try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: classes,
            labelRule: .samme(weightTotal: total),
            flattens: false,
            rejectsNaN: true,
            estimator: estimator,
            logProbabilityRule: .logOfProbabilities
        )
    }

    /// `decision_function` of one row from its summed votes: each divided by the weights' total;
    /// for two classes the single value `(−d₀) + d₁`.
    static func decision<Acc: TreeAccumulator>(_ votes: UnsafeBufferPointer<Acc>, total: Double) -> [Double] {
        let scaled = votes.map { Double($0) / total }
        if scaled.count == 2 { return [-scaled[0] + scaled[1]] }
        return scaled
    }

    /// `decision_function` (rows, or rows × classes) or `predict_proba` (rows × classes) of all rows.
    static func scores<Acc: TreeAccumulator>(_ votes: [Acc], width: Int, total: Double, probabilities: Bool)
        -> [Double]
    {
        let rows = width == 0 ? 0 : votes.count / width
        var result: [Double] = []
        result.reserveCapacity(rows * (probabilities ? width : (width == 2 ? 1 : width)))
        votes.withUnsafeBufferPointer { votes in
            for row in 0..<rows {
                let decision = self.decision(
                    UnsafeBufferPointer(rebasing: votes[(row * width)..<((row + 1) * width)]),
                    total: total
                )
                guard probabilities else {
                    result.append(contentsOf: decision)
                    continue
                }
                // _compute_proba_from_decision: [−d, d] / 2 for two classes, else d / (K − 1); then
                // sklearn's softmax: subtract the row's max, exp, divide by the (numpy) row sum.
                var x =
                    decision.count == 1
                    ? [-decision[0] / 2, decision[0] / 2] : decision.map { $0 / Double(width - 1) }
                let top = x.max() ?? 0
                for k in x.indices { x[k] = SystemPlatform.exp(x[k] - top) }
                let sum = SklearnTreeReading.numpySum(x[...])
                for k in x.indices { x[k] /= sum }
                result.append(contentsOf: x)
            }
        }
        return result
    }

    /// `_get_median_predict` of one row: predictions sorted ascending (ties in tree order: equal
    /// predictions answer the same value whatever their order), weights added in that order
    /// (`np.cumsum`), the first at or above half the total (`argmax` of the mask: the first when none is).
    static func weightedMedian<Acc: TreeAccumulator>(_ predictions: UnsafeBufferPointer<Acc>, weights: [Double])
        -> Double
    {
        let order = predictions.indices.sorted { (predictions[$0], $0) < (predictions[$1], $1) }
        var cumulative: [Double] = []
        cumulative.reserveCapacity(order.count)
        var running = 0.0
        for index in order {
            running += weights[index]
            cumulative.append(running)
        }
        let half = 0.5 * running
        let position = cumulative.firstIndex { $0 >= half } ?? 0
        return Double(predictions[order[position]])
    }
}
