package import ModelBundle

/// Turns scikit-learn's node arrays into ``TreeEnsemble`` trees, checking every index and value
/// before it is used, and naming the estimator, tree and node in every refusal.
package enum SklearnTreeReading {
    /// scikit-learn's `TREE_LEAF`: both children of a leaf.
    static let leafChild: Int64 = -1

    /// Appends one `sklearn.tree._tree.Tree` to `ensemble` (feeding `output`): its `nodes` records
    /// become the ensemble's nodes and its `values` array ([nodes, outputs, classes], float64) their
    /// leaf values (`valueWidth` per node, zeros at internal nodes); `leaf` maps one leaf's values
    /// (outputs × classes, row-major: `leaves[range]`) in place to the ensemble's. The nodes are
    /// written straight into the ensemble's arrays as they are checked; after a throw the ensemble
    /// holds part of the tree and must be discarded.
    package static func appendTree(
        _ records: SklearnNodeRecords,
        values: consuming [Double],
        valueWidth: Int,
        featureCount: Int,
        estimator: String,
        tree: Int,
        to ensemble: inout TreeEnsemble,
        output: Int,
        leaf: (_ leaves: inout [Double], _ range: Range<Int>) -> Void
    ) throws(ModelBundleError) {
        let count = records.count
        func invalid(_ node: Int, _ message: String) -> ModelBundleError {
            ModelBundleError(
                .weightsInvalid,
                "\(estimator) tree \(tree) node \(node): \(message)",
                item: "\(estimator) tree \(tree) node \(node)"
            )
        }
        guard count >= 1, count <= TreeEnsembleLimits.maximumNodesPerTree else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(estimator) tree \(tree) has \(count) nodes; expected 1 to \(TreeEnsembleLimits.maximumNodesPerTree)",
                item: "\(estimator) tree \(tree)"
            )
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: valueWidth)
        guard valueWidth >= 1, !overflow, values.count == expected else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(estimator) tree \(tree): its value array holds \(values.count) numbers, not \(count) nodes × "
                    + "\(valueWidth)",
                item: "\(estimator) tree \(tree) values"
            )
        }
        // The leaves are transformed where they are, in one array: no array per leaf.
        var leaves = values
        try ensemble.appendTree(output: output, nodeCount: count) { (columns) throws(ModelBundleError) in
            for node in 0..<count {
                let left = records.int64(node, at: 0)
                let right = records.int64(node, at: 8)
                let range = (node * valueWidth)..<((node + 1) * valueWidth)
                if left == leafChild || right == leafChild {
                    guard left == leafChild, right == leafChild else {
                        throw invalid(node, "has one child (\(left), \(right)); a node has two or none")
                    }
                    for index in range where !leaves[index].isFinite {
                        throw invalid(node, "holds a leaf value that is not finite")
                    }
                    leaf(&leaves, range)
                    columns.appendLeaf()
                    continue
                }
                for index in range { leaves[index] = 0 }
                let feature = records.int64(node, at: 16)
                if let problem = splitProblem(
                    left: Int(left),
                    right: Int(right),
                    feature: feature,
                    nodeCount: count,
                    featureCount: featureCount
                ) {
                    throw invalid(node, problem)
                }
                var threshold = records.float64(node, at: 24)
                // A split of missing from non-missing values stores +inf (everything not NaN goes
                // left); scikit-learn refuses inputs that are infinite as float32, so the largest
                // finite double routes every admissible value the same way.
                if threshold == .infinity { threshold = .greatestFiniteMagnitude }
                guard threshold.isFinite else { throw invalid(node, "has a threshold that is not finite") }
                let missing = records.uint8(node, at: 56)
                guard missing <= 1 else { throw invalid(node, "has missing_go_to_left \(missing), not 0 or 1") }
                columns.appendSplit(
                    feature: Int32(feature),
                    threshold: threshold,
                    left: Int32(left),
                    right: Int32(right),
                    flags: missing == 1 ? .defaultLeft : []
                )
            }
            return leaves
        }
    }

    /// What is wrong with an internal node's children and feature, or nil: both children inside
    /// `1..<nodeCount` and distinct, the feature inside the model's (scikit-learn's `Tree` and
    /// HistGradientBoosting's predictor nodes alike).
    static func splitProblem(left: Int, right: Int, feature: Int64, nodeCount: Int, featureCount: Int) -> String? {
        guard left >= 1, left < nodeCount, right >= 1, right < nodeCount, left != right else {
            return "has children \(left) and \(right), outside 1..<\(nodeCount) or equal"
        }
        guard feature >= 0, feature < featureCount else {
            return "splits on feature \(feature); the model has \(featureCount) features"
        }
        return nil
    }

    /// The libFuzzer entry point for the node-array reader: `.npy` bytes of a `Tree` node array are
    /// parsed, turned into one tree over `featureCount` features with zero leaves, and validated.
    /// Every outcome is a value or a ``ModelBundleError``.
    package static func fuzzTreeNodeArray(_ bytes: [UInt8], featureCount: Int = 8) throws(ModelBundleError)
        -> ValidatedTreeEnsemble
    {
        let records = try SklearnNodeRecords(npy: bytes, layout: .tree, item: "nodes.npy")
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: 1,
            baseScores: [0],
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            combination: .average,
            task: .regression
        )
        try appendTree(
            records,
            values: [Double](repeating: 0, count: records.count),
            valueWidth: 1,
            featureCount: featureCount,
            estimator: "DecisionTreeRegressor",
            tree: 0,
            to: &ensemble,
            output: 0,
            leaf: { _, _ in }
        )
        return try ensemble.validated()
    }

    /// numpy's `add.reduce` over one contiguous row of float64: sequential from 0 below 8 values,
    /// else its pairwise scheme (8 accumulators, then a fixed tree of additions). Class
    /// probabilities are normalised with it, so the last bit matches scikit-learn's.
    package static func numpySum(_ values: ArraySlice<Double>) -> Double {
        let n = values.count
        let base = values.startIndex
        if n < 8 {
            var sum = -0.0
            for value in values { sum += value }
            return sum
        }
        if n <= 128 {
            var r = (0..<8).map { values[base + $0] }
            var i = 8
            while i < n - n % 8 {
                for k in 0..<8 { r[k] += values[base + i + k] }
                i += 8
            }
            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                sum += values[base + i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return numpySum(values[base..<(base + half)]) + numpySum(values[(base + half)...])
    }
}
