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
        var outputs = 1
        if classifier {
            classes = try source.labels("classes_")
        } else {
            // A multi-output regressor's trees each predict every output.
            try SklearnTreeState.requireMember(trees[0], treeKind, of: source, estimator: estimator, index: 0)
            outputs = try trees[0].integer("n_outputs_")
            guard outputs >= 1, outputs <= TreeEnsembleLimits.maximumOutputs else {
                throw source.invalid("estimators_", "tree 0 has \(outputs) outputs")
            }
        }
        return try SklearnTreeState.averagedTrees(
            trees,
            of: source,
            estimator: estimator,
            featureCount: featureCount,
            classes: classes,
            outputs: outputs,
            featureLists: featureLists,
            logProbabilityRule: .baggingLogSum
        ) { (tree, index) throws(ModelBundleError) in
            try SklearnTreeState.requireMember(tree, treeKind, of: source, estimator: estimator, index: index)
            if let classes {
                guard try tree.labels("classes_").count == classes.count else {
                    throw source.invalid(
                        "estimators_",
                        "tree \(index) knows a different number of classes than the \(classes.count) of classes_"
                    )
                }
            } else if try tree.integer("n_outputs_") != outputs {
                throw source.invalid("estimators_", "tree \(index) has a different number of outputs than tree 0")
            }
        }
    }
}
