import ModelBundle

/// `HistGradientBoostingClassifier`/`Regressor` (`_predictor.pyx`): float64 `x <= num_threshold`,
/// NaN to `missing_go_to_left`'s side, leaf values (shrinkage included) summed in iteration order
/// onto `_baseline_prediction`.
///
/// Categorical features are refused for now: scikit-learn 1.9 routes them through a fitted
/// `_preprocessor` (a ColumnTransformer with an OrdinalEncoder) before the trees, which the
/// preprocessing stage will read.
enum SklearnHistGradientBoostingState {
    static func model(_ source: any SklearnTreeSource, estimator: String, featureCount: Int)
        throws(ModelBundleError) -> SklearnTreeModel
    {
        guard source.isNone("_preprocessor") else {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(estimator) has categorical features, which scikit-learn encodes with a fitted _preprocessor "
                    + "(ColumnTransformer) this build does not read yet; numeric HistGradientBoosting models are supported",
                item: "\(estimator)._preprocessor"
            )
        }
        let classifier = source.kind == .histGradientBoostingClassifier
        let loss = source.text("loss") ?? "(missing)"
        let perIteration = try source.integer("n_trees_per_iteration_")
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        let link: TreeEnsemble.Link
        if classifier {
            let labels = try source.labels("classes_")
            classes = labels
            guard perIteration == (labels.count == 2 ? 1 : labels.count) else {
                throw source.invalid("n_trees_per_iteration_", "is \(perIteration) for \(labels.count) classes")
            }
            link = perIteration == 1 ? .sigmoid : .softmax
        } else {
            guard perIteration == 1 else { throw source.invalid("n_trees_per_iteration_", "is \(perIteration)") }
            switch loss {
            case "squared_error", "absolute_error", "quantile": link = .identity
            case "poisson", "gamma": link = .exp
            default:
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(estimator) uses loss '\(loss)'; supported: squared_error, absolute_error, quantile, poisson, gamma",
                    item: "\(estimator).loss"
                )
            }
        }
        let baseline = try source.array("_baseline_prediction").float64Values()
        guard baseline.count == perIteration, baseline.allSatisfy(\.isFinite) else {
            throw source.invalid("_baseline_prediction", "does not hold \(perIteration) finite numbers")
        }
        let predictors = try source.objects("_predictors", limit: SklearnTreeState.maximumEstimators)
        guard !predictors.isEmpty, predictors.count % perIteration == 0 else {
            throw source.invalid(
                "_predictors",
                "holds \(predictors.count) trees, not whole iterations of \(perIteration)"
            )
        }
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: perIteration,
            baseScores: baseline,
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            combination: .sum,
            link: link,
            task: classifier ? .classification : .regression
        )
        for (index, predictor) in predictors.enumerated() {
            guard predictor.kind == .treePredictor else {
                throw source.invalid("_predictors", "holds a \(predictor.kind.shortName), not a TreePredictor")
            }
            let records = try predictor.records("nodes", layout: .histPredictor)
            let nodes = try nodes(records, estimator: estimator, tree: index, featureCount: featureCount)
            try ensemble.appendTree(output: index % perIteration, nodes: nodes)
        }
        return try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: classes,
            labelRule: .rawPositive,
            flattens: true,
            rejectsNaN: false,
            estimator: estimator
        )
    }

    /// One `TreePredictor.nodes` array (PREDICTOR_RECORD_DTYPE) as ensemble nodes.
    static func nodes(_ records: SklearnNodeRecords, estimator: String, tree: Int, featureCount: Int)
        throws(ModelBundleError) -> [TreeEnsemble.Node]
    {
        let count = records.count
        func invalid(_ node: Int, _ message: String) -> ModelBundleError {
            ModelBundleError(
                .weightsInvalid,
                "\(estimator) tree \(tree) node \(node): \(message)",
                item: "\(estimator) tree \(tree) node \(node)"
            )
        }
        guard count >= 1, count <= TreeEnsembleLimits.maximumNodesPerTree else {
            throw invalid(0, "the tree has \(count) nodes")
        }
        var nodes: [TreeEnsemble.Node] = []
        nodes.reserveCapacity(count)
        for node in 0..<count {
            let isLeaf = records.uint8(node, at: 49)
            guard isLeaf <= 1 else { throw invalid(node, "has is_leaf \(isLeaf)") }
            if isLeaf == 1 {
                let value = records.float64(node, at: 0)
                guard value.isFinite else { throw invalid(node, "holds a leaf value that is not finite") }
                nodes.append(.leaf([value]))
                continue
            }
            guard records.uint8(node, at: 51) == 0 else {
                throw invalid(node, "is a categorical split, which needs the model's _preprocessor")
            }
            let left = Int(records.uint32(node, at: 29))
            let right = Int(records.uint32(node, at: 33))
            guard left >= 1, left < count, right >= 1, right < count, left != right else {
                throw invalid(node, "has children \(left) and \(right), outside 1..<\(count) or equal")
            }
            let feature = records.int64(node, at: 12)
            guard feature >= 0, feature < featureCount else {
                throw invalid(node, "splits on feature \(feature); the model has \(featureCount) features")
            }
            var threshold = records.float64(node, at: 20)
            // A split sending every non-missing value left stores +inf; scikit-learn refuses infinite
            // inputs, so the largest finite double routes every admissible value the same way.
            if threshold == .infinity { threshold = .greatestFiniteMagnitude }
            guard threshold.isFinite else { throw invalid(node, "has a threshold that is not finite") }
            let missing = records.uint8(node, at: 28)
            guard missing <= 1 else { throw invalid(node, "has missing_go_to_left \(missing), not 0 or 1") }
            nodes.append(
                .split(
                    feature: Int32(feature),
                    threshold: threshold,
                    left: Int32(left),
                    right: Int32(right),
                    flags: missing == 1 ? .defaultLeft : []
                )
            )
        }
        return nodes
    }
}
