import ModelBundle

/// `feature_importances_` of scikit-learn 1.9.1's trees and forests, which they compute when asked
/// (SelectFromModel reads them): a tree's `compute_feature_importances()` (`_tree.pyx`: each split
/// adds `w·impurity − w_left·impurity_left − w_right·impurity_right` to its feature, in node order;
/// divided by the root's weight, then by the numpy sum when it is above 0); a forest's mean of its
/// trees' with more than one node (added tree by tree, divided by their count), divided by its numpy
/// sum (zeros when no tree split).
enum SklearnFeatureImportances {
    static func importances(_ estimator: any SklearnTreeSource, width: Int) throws(ModelBundleError) -> [Double]? {
        switch estimator.kind {
        case .decisionTreeClassifier, .decisionTreeRegressor, .extraTreeClassifier, .extraTreeRegressor:
            return try tree(estimator, width: width).importances
        case .randomForestClassifier, .randomForestRegressor, .extraTreesClassifier, .extraTreesRegressor:
            let trees = try estimator.objects("estimators_", limit: SklearnTreeState.maximumEstimators)
            var sum: [Double]? = nil
            var count = 0
            for member in trees {
                let (importances, nodes) = try tree(member, width: width)
                guard nodes > 1 else { continue }
                if let partial = sum {
                    sum = zip(partial, importances).map { $0 + $1 }
                } else {
                    sum = importances
                }
                count += 1
            }
            guard let sum else { return [Double](repeating: 0, count: width) }
            let mean = sum.map { $0 / Double(count) }
            let total = SklearnTreeReading.numpySum(mean[...])
            return mean.map { $0 / total }
        default:
            return nil
        }
    }

    /// One fitted tree's normalised importances and its node count.
    private static func tree(_ estimator: any SklearnTreeSource, width: Int) throws(ModelBundleError)
        -> (importances: [Double], nodes: Int)
    {
        let state = try estimator.object("tree_")
        guard state.kind == .tree else {
            throw estimator.invalid("tree_", "is a \(state.kind.shortName), not a Tree")
        }
        let records = try state.records("nodes", layout: .tree)
        let count = records.count
        guard count >= 1 else { throw state.invalid("nodes", "holds no node") }
        var importances = [Double](repeating: 0, count: width)
        for node in 0..<count {
            let left = records.int64(node, at: 0)
            guard left != SklearnTreeReading.leafChild else { continue }
            let right = records.int64(node, at: 8)
            let feature = records.int64(node, at: 16)
            guard left > node, left < count, right > node, right < count, feature >= 0, feature < width else {
                throw state.invalid(
                    "nodes",
                    "node \(node) has children (\(left), \(right)) or feature \(feature) out of range"
                )
            }
            let weighted = { (index: Int) in records.float64(index, at: 48) * records.float64(index, at: 32) }
            importances[Int(feature)] += weighted(node) - weighted(Int(left)) - weighted(Int(right))
        }
        let root = records.float64(0, at: 48)
        for index in importances.indices { importances[index] /= root }
        let total = SklearnTreeReading.numpySum(importances[...])
        if total > 0 {
            for index in importances.indices { importances[index] /= total }
        }
        return (importances, count)
    }
}
