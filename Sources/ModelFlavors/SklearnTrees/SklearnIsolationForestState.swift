import ModelBundle
import SystemPlatform

/// `sklearn.ensemble.IsolationForest` (scikit-learn 1.3 or later), read as scikit-learn 1.9's
/// `_iforest.py` predicts:
/// - each tree (an `ExtraTreeRegressor`, on the features `estimators_features_` names when
///   `_max_features` is not every feature) sends a row to a leaf whose depth contribution is
///   `_decision_path_lengths[t][leaf] + _average_path_length_per_tree[t][leaf] − 1.0`;
/// - `depths` sums them in tree order (float64, from 0); `score_samples` is
///   `−2^(−depths / (n_trees · c(max_samples_)))`, `c` being `_average_path_length` (1 when the
///   denominator is 0); `decision_function` subtracts `offset_`; `predict` answers −1 where the
///   decision is below 0, else 1.
/// The per-leaf values become the ensemble's leaves, so the batch kernel sums `depths`; the label
/// rule (``SklearnTreeModel/LabelRule/isolation(denominator:offset:)``) does the rest. MLflow's
/// sklearn flavor only offers `predict` for it, and so does this reader. Inputs are cast to float32
/// and may be NaN or infinite (`validate_data(..., ensure_all_finite=False)`).
enum SklearnIsolationForestState {
    static func model(
        _ source: any SklearnTreeSource,
        estimator: String,
        featureCount: Int
    ) throws(ModelBundleError) -> SklearnTreeModel {
        let trees = try source.objects("estimators_", limit: SklearnTreeState.maximumEstimators)
        guard !trees.isEmpty else { throw source.invalid("estimators_", "holds no trees") }
        let treeFeatures = try source.integer("_max_features")
        guard treeFeatures >= 1, treeFeatures <= featureCount else {
            throw source.invalid("_max_features", "is \(treeFeatures); expected 1 to \(featureCount)")
        }
        let subsampled = treeFeatures != featureCount
        let featureLists =
            subsampled ? try SklearnTreeState.perTreeArrays(source, "estimators_features_", count: trees.count) : []
        let pathLengths = try SklearnTreeState.perTreeArrays(source, "_decision_path_lengths", count: trees.count)
        let averages = try SklearnTreeState.perTreeArrays(source, "_average_path_length_per_tree", count: trees.count)
        // The score's denominator uses _max_samples (max_samples_ holds the same count).
        let maxSamples = try source.number(source.isNone("_max_samples") ? "max_samples_" : "_max_samples")
        let offset = try source.number("offset_")
        guard maxSamples >= 1, maxSamples <= 1e15, offset.isFinite else {
            throw source.invalid(
                "max_samples_",
                "is \(maxSamples) with offset_ \(offset); expected a count and a number"
            )
        }
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: 1,
            baseScores: [0],
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            task: .classification
        )
        for (index, tree) in trees.enumerated() {
            guard tree.kind == .extraTreeRegressor || tree.kind == .decisionTreeRegressor else {
                throw source.invalid("estimators_", "holds a \(tree.kind.shortName), not an ExtraTreeRegressor")
            }
            let lengths = pathLengths[index]
            let average = averages[index]
            var problem: String? = nil
            let firstNode = ensemble.nodeCount
            try SklearnTreeState.appendTree(
                of: tree,
                estimator: estimator,
                index: index,
                featureCount: treeFeatures,
                valueWidth: 1,
                to: &ensemble,
                output: 0,
                leaf: { leaves, range in
                    let node = range.lowerBound
                    guard node < lengths.count, node < average.count else {
                        problem = "has \(lengths.count) path lengths and \(average.count) averages for more nodes"
                        return
                    }
                    leaves[node] = lengths[node] + average[node] - 1.0
                }
            )
            if let problem { throw source.invalid("_decision_path_lengths", "tree \(index) \(problem)") }
            guard lengths.count == ensemble.nodeCount - firstNode, average.count == lengths.count,
                lengths.allSatisfy(\.isFinite), average.allSatisfy(\.isFinite)
            else {
                throw source.invalid(
                    "_decision_path_lengths",
                    "tree \(index): expected \(ensemble.nodeCount - firstNode) finite path lengths and averages"
                )
            }
            if subsampled {
                // The tree was fitted on X[:, estimators_features_[t]]: its features index that list.
                try SklearnTreeState.remapFeatures(
                    of: &ensemble,
                    nodes: firstNode..<ensemble.nodeCount,
                    through: featureLists[index],
                    featureCount: featureCount,
                    source: source,
                    tree: index
                )
            }
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        let denominator = Double(trees.count) * averagePathLength(maxSamples)
        return try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: .integers([-1, 1]),
            labelRule: .isolation(denominator: denominator, offset: offset),
            flattens: true,
            rejectsNaN: false,
            estimator: estimator
        )
    }

    /// `_average_path_length` of one sample count: 0 up to 1, 1 at 2, else
    /// `2 (ln(n − 1) + γ) − 2 (n − 1) / n`.
    static func averagePathLength(_ n: Double) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        return 2.0 * (SystemPlatform.log(n - 1.0) + 0.5772156649015329) - 2.0 * (n - 1.0) / n
    }
}
