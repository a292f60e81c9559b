import ModelBundle

/// `BaggingClassifier` and `BaggingRegressor` of decision trees, read as scikit-learn 1.9.1's
/// `ensemble/_bagging.py` predicts: tree t sees `X[:, estimators_features_[t]]` (a permutation of
/// the features, or a sample of them), so its nodes are pointed at the whole input's columns;
/// `predict_proba` adds the trees' probabilities in tree order from 0 and divides by
/// `n_estimators`, `predict` takes the first largest (the classifier) or is that average (the
/// regressor) — the same ensemble as a random forest's. The trees were fitted on the encoded
/// labels `0…K−1` (with the bootstrap as sample weights, so each knows every class).
///
/// With `n_jobs` other than 1, scikit-learn adds the trees in `n_jobs` partial sums, which can
/// differ from one sum in the last bit; this reader adds them in one.
enum SklearnBaggingState {
    static func model(
        _ source: any SklearnTreeSource,
        estimator: String,
        featureCount: Int,
        classifier: Bool
    ) throws(ModelBundleError) -> SklearnTreeModel {
        let trees = try source.objects("estimators_", limit: SklearnTreeState.maximumEstimators)
        guard !trees.isEmpty else { throw source.invalid("estimators_", "holds no trees") }
        let featureLists = try SklearnTreeState.perTreeArrays(source, "estimators_features_", count: trees.count)
        let count = try source.integer("n_estimators")
        guard count == trees.count else {
            throw source.invalid("n_estimators", "is \(count) but estimators_ holds \(trees.count) trees")
        }
        let treeKind: SklearnEstimator.Kind = classifier ? .decisionTreeClassifier : .decisionTreeRegressor
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        let width: Int
        let outputs: Int
        if classifier {
            let labels = try source.labels("classes_")
            classes = labels
            (width, outputs) = (labels.count, 1)
        } else {
            // A multi-output regressor's trees each predict every output.
            try SklearnTreeState.requireMember(trees[0], treeKind, of: source, estimator: estimator, index: 0)
            outputs = try trees[0].integer("n_outputs_")
            guard outputs >= 1, outputs <= TreeEnsembleLimits.maximumOutputs else {
                throw source.invalid("estimators_", "tree 0 has \(outputs) outputs")
            }
            width = outputs
        }
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: width,
            leafWidth: width,
            baseScores: [Double](repeating: 0, count: width),
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            combination: .average,
            task: classifier ? .classification : .regression
        )
        for (index, tree) in trees.enumerated() {
            try SklearnTreeState.requireMember(tree, treeKind, of: source, estimator: estimator, index: index)
            if classifier {
                guard try tree.labels("classes_").count == width else {
                    throw source.invalid(
                        "estimators_",
                        "tree \(index) knows a different number of classes than the \(width) of classes_"
                    )
                }
            } else if try tree.integer("n_outputs_") != outputs {
                throw source.invalid("estimators_", "tree \(index) has a different number of outputs than tree 0")
            }
            let features = featureLists[index]
            guard !features.isEmpty, features.count <= TreeEnsembleLimits.maximumFeatures else {
                throw source.invalid("estimators_features_", "tree \(index) lists \(features.count) features")
            }
            let firstNode = ensemble.nodeCount
            try SklearnTreeState.appendTree(
                of: tree,
                estimator: estimator,
                index: index,
                featureCount: features.count,
                valueWidth: width,
                to: &ensemble,
                output: 0,
                leaf: classifier ? SklearnTreeState.classifierLeaf(of: tree) : { _, _ in }
            )
            try SklearnTreeState.remapFeatures(
                of: &ensemble,
                nodes: firstNode..<ensemble.nodeCount,
                through: features,
                featureCount: featureCount,
                source: source,
                tree: index
            )
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        return try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: classes,
            labelRule: .argmaxTransformed,
            flattens: !classifier && outputs == 1,
            rejectsNaN: false,
            estimator: estimator
        )
    }
}
