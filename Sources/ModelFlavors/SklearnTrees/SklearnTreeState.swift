import ModelBundle

/// Maps the fitted attributes of scikit-learn's tree estimators onto one ``TreeEnsemble`` with
/// scikit-learn's own prediction rules (1.9.1, read from its code):
/// - trees and forests (`_tree.pyx`, `_forest.py`): X cast to float32, `x <= threshold` left, NaN
///   to `missing_go_to_left`'s side; a classifier tree's leaf is its stored class fractions
///   (fitted by 1.4 or later; 1.3 stored counts, divided by their numpy sum); a forest adds its trees' outputs in tree order in float64 from 0 and divides by the
///   number of trees;
/// - GradientBoosting (`_gb.py`, `predict_stages`): float32 comparisons, the `init_` raw
///   prediction, then `learning_rate * value` of each stage's trees added in float64, stage order;
/// - HistGradientBoosting (`_predictor.pyx`): float64 `x <= num_threshold`, NaN to
///   `missing_go_to_left`'s side, leaves summed onto `_baseline_prediction` in iteration order.
enum SklearnTreeState {
    /// The most trees a forest or boosting model may name before anything is read.
    static let maximumEstimators = 100_000

    static let minimumVersion = (1, 3)

    static func model(_ source: any SklearnTreeSource, fileName: String) throws(ModelBundleError) -> SklearnTreeModel {
        // XGBoost's and LightGBM's wrappers record no scikit-learn version; their boosters do.
        if SklearnBoosterState.wrappers.contains(source.kind) {
            return try SklearnBoosterState.model(source, fileName: fileName)
        }
        try checkVersion(source, fileName: fileName)
        let kind = source.kind
        let estimator = "\(fileName): \(kind.shortName)"
        let featureCount = try source.integer("n_features_in_")
        guard featureCount >= 1, featureCount <= TreeEnsembleLimits.maximumFeatures else {
            throw source.invalid(
                "n_features_in_",
                "is \(featureCount); expected 1 to \(TreeEnsembleLimits.maximumFeatures)"
            )
        }
        switch kind {
        // A lone ExtraTree is a decision tree with random thresholds: it predicts as one.
        case .decisionTreeClassifier, .extraTreeClassifier, .randomForestClassifier, .extraTreesClassifier:
            return try forest(source, estimator: estimator, featureCount: featureCount, classifier: true)
        case .decisionTreeRegressor, .extraTreeRegressor, .randomForestRegressor, .extraTreesRegressor:
            return try forest(source, estimator: estimator, featureCount: featureCount, classifier: false)
        case .gradientBoostingClassifier, .gradientBoostingRegressor:
            return try SklearnGradientBoostingState.model(source, estimator: estimator, featureCount: featureCount)
        case .histGradientBoostingClassifier, .histGradientBoostingRegressor:
            return try SklearnHistGradientBoostingState.model(source, estimator: estimator, featureCount: featureCount)
        case .isolationForest:
            return try SklearnIsolationForestState.model(source, estimator: estimator, featureCount: featureCount)
        case .baggingClassifier, .baggingRegressor:
            return try SklearnBaggingState.model(
                source,
                estimator: estimator,
                featureCount: featureCount,
                classifier: kind == .baggingClassifier
            )
        case .adaBoostClassifier, .adaBoostRegressor:
            return try SklearnAdaBoostState.model(
                source,
                estimator: estimator,
                featureCount: featureCount,
                classifier: kind == .adaBoostClassifier
            )
        default:
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName) holds a lone \(kind.shortName), which predicts nothing by itself",
                item: kind.rawValue
            )
        }
    }

    /// Refuses models fitted by scikit-learn before 1.3 (missing-value routing and classifier leaf
    /// fractions differ there), naming the version found.
    static func checkVersion(_ source: any SklearnTreeSource, fileName: String) throws(ModelBundleError) {
        let version = source.text("_sklearn_version") ?? "(not recorded)"
        guard let fitted = source.fittedVersion, fitted >= minimumVersion else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "\(fileName): this \(source.kind.shortName) was saved by scikit-learn \(version); tree models from "
                    + "scikit-learn 1.3 or later are read (refit and save it with a current release)",
                item: "\(fileName):_sklearn_version"
            )
        }
    }

    /// A decision tree or a forest of them (average of the trees' outputs).
    private static func forest(
        _ source: any SklearnTreeSource,
        estimator: String,
        featureCount: Int,
        classifier: Bool
    ) throws(ModelBundleError) -> SklearnTreeModel {
        let single = [.decisionTreeClassifier, .decisionTreeRegressor, .extraTreeClassifier, .extraTreeRegressor]
            .contains(source.kind)
        let trees: [any SklearnTreeSource] =
            single ? [source] : try source.objects("estimators_", limit: maximumEstimators)
        guard !trees.isEmpty else { throw source.invalid("estimators_", "holds no trees") }
        let outputs = try source.integer("n_outputs_")
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        if classifier {
            guard outputs == 1 else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(estimator) was fitted on \(outputs) outputs; multi-output classifiers are not supported",
                    item: "\(estimator).n_outputs_"
                )
            }
            classes = try source.labels("classes_")
        } else {
            guard outputs >= 1, outputs <= TreeEnsembleLimits.maximumOutputs else {
                throw source.invalid("n_outputs_", "is \(outputs)")
            }
        }
        let treeKind: SklearnEstimator.Kind = classifier ? .decisionTreeClassifier : .decisionTreeRegressor
        return try averagedTrees(
            trees,
            of: source,
            estimator: estimator,
            featureCount: featureCount,
            classes: classes,
            outputs: outputs
        ) { (tree, _) throws(ModelBundleError) in
            // ExtraTrees hold ExtraTreeClassifier/Regressor, which the allowlist maps to the same kinds.
            guard tree.kind == treeKind || tree.kind.extraTreeOf == treeKind else {
                throw source.invalid("estimators_", "holds a \(tree.kind.shortName), not a \(treeKind.shortName)")
            }
        }
    }

    /// Trees whose outputs are averaged (a forest's, a bagging ensemble's): each checked by `member`,
    /// appended in order (a classifier's leaf as ``classifierLeaf(of:)`` answers it), and, when
    /// `featureLists` is given, pointed from the columns it was fitted on (`featureLists[t]`) at the
    /// input's own; summed in tree order in float64 from 0 and divided by the number of trees.
    static func averagedTrees(
        _ trees: [any SklearnTreeSource],
        of source: any SklearnTreeSource,
        estimator: String,
        featureCount: Int,
        classes: LinearModelFlavorConfiguration.ClassLabels?,
        outputs: Int,
        featureLists: [[Double]]? = nil,
        logProbabilityRule: SklearnTreeModel.LogProbabilityRule = .logOfProbabilities,
        member: (_ tree: any SklearnTreeSource, _ index: Int) throws(ModelBundleError) -> Void
    ) throws(ModelBundleError) -> SklearnTreeModel {
        let classifier = classes != nil
        let width = classes?.count ?? outputs
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
            try member(tree, index)
            let features = featureLists?[index]
            if let features, features.isEmpty || features.count > TreeEnsembleLimits.maximumFeatures {
                throw source.invalid("estimators_features_", "tree \(index) lists \(features.count) features")
            }
            let firstNode = ensemble.nodeCount
            try appendTree(
                of: tree,
                estimator: estimator,
                index: index,
                featureCount: features?.count ?? featureCount,
                valueWidth: width,
                to: &ensemble,
                output: 0,
                leaf: classifier ? classifierLeaf(of: tree) : { _, _ in }
            )
            if let features {
                try remapFeatures(
                    of: &ensemble,
                    nodes: firstNode..<ensemble.nodeCount,
                    through: features,
                    featureCount: featureCount,
                    source: source,
                    tree: index
                )
            }
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        return try SklearnTreeModel(
            ensemble: validated(ensemble, estimator: estimator),
            classes: classes,
            labelRule: .argmaxTransformed,
            flattens: !classifier && outputs == 1,
            rejectsNaN: false,
            estimator: estimator,
            logProbabilityRule: logProbabilityRule
        )
    }

    /// A classifier tree's leaf as `DecisionTreeClassifier.predict_proba` answers it: scikit-learn 1.4
    /// and later store the class fractions in `tree_.value` and answer them unchanged; 1.3 stored
    /// weighted counts and divided them by their sum (``normalize(_:_:)``).
    static func classifierLeaf(of source: any SklearnTreeSource) -> (_ leaves: inout [Double], _ range: Range<Int>)
        -> Void
    {
        if let version = source.fittedVersion, version >= (1, 4) { return { _, _ in } }
        return normalize
    }

    /// scikit-learn 1.3's `predict_proba`: the leaf's values divided by their numpy sum (a zero sum
    /// divides by 1).
    static func normalize(_ leaves: inout [Double], _ range: Range<Int>) {
        var sum = SklearnTreeReading.numpySum(leaves[range])
        if sum == 0 { sum = 1 }
        for index in range { leaves[index] /= sum }
    }

    /// Appends one fitted `DecisionTree*`'s `tree_` (its values [nodes, outputs, classes]) to
    /// `ensemble`, feeding `output`.
    static func appendTree(
        of tree: any SklearnTreeSource,
        estimator: String,
        index: Int,
        featureCount: Int,
        valueWidth: Int,
        to ensemble: inout TreeEnsemble,
        output: Int,
        leaf: (_ leaves: inout [Double], _ range: Range<Int>) -> Void
    ) throws(ModelBundleError) {
        let state = try tree.object("tree_")
        guard state.kind == .tree else { throw tree.invalid("tree_", "is a \(state.kind.shortName), not a Tree") }
        let records = try state.records("nodes", layout: .tree)
        let values = try state.array("values")
        guard values.dtype == .float64, values.shape.count == 3, values.shape[0] == records.count,
            values.shape[1] * values.shape[2] == valueWidth
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(estimator) tree \(index): values has dtype \(values.dtype.rawValue) and shape \(values.shape); "
                    + "expected float64 [\(records.count), …] with \(valueWidth) values per node",
                item: "\(estimator) tree \(index) values"
            )
        }
        if let nodeCount = try? state.integer("node_count"), nodeCount != records.count {
            throw ModelBundleError(
                .weightsInvalid,
                "\(estimator) tree \(index): node_count is \(nodeCount) but nodes holds \(records.count) records",
                item: "\(estimator) tree \(index) node_count"
            )
        }
        try SklearnTreeReading.appendTree(
            records,
            values: values.float64Values(),
            valueWidth: valueWidth,
            featureCount: featureCount,
            estimator: estimator,
            tree: index,
            to: &ensemble,
            output: output,
            leaf: leaf
        )
    }

    /// A tuple or list of `count` numeric arrays, as float64 (int64 path lengths are exact).
    static func perTreeArrays(_ source: any SklearnTreeSource, _ name: String, count: Int) throws(ModelBundleError)
        -> [[Double]]
    {
        guard case .list(let items)? = try source.data(name), items.count == count else {
            throw source.invalid(
                name,
                "is not a list of \(count) arrays, one per tree (was it fitted by 1.3 or later?)"
            )
        }
        var result: [[Double]] = []
        for item in items {
            guard case .array(let tensor) = item, tensor.shape.count == 1 else {
                throw source.invalid(name, "holds \(item.kindName), not a 1-D array")
            }
            result.append(tensor.float64Values())
        }
        return result
    }
    /// Refuses an ensemble member (Bagging's, AdaBoost's) that is not a decision tree of `kind` or its
    /// ExtraTree variant, naming both.
    static func requireMember(
        _ tree: any SklearnTreeSource,
        _ kind: SklearnEstimator.Kind,
        of ensemble: any SklearnTreeSource,
        estimator: String,
        index: Int
    ) throws(ModelBundleError) {
        guard tree.kind == kind || tree.kind.extraTreeOf == kind else {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(estimator).estimators_[\(index)] is a \(tree.kind.shortName); a "
                    + "\(ensemble.kind.shortName) of \(kind.shortName) or its ExtraTree variant is read",
                item: "estimators_[\(index)]"
            )
        }
    }

    /// Points the nodes of a tree fitted on `X[:, features]` (Bagging's and IsolationForest's
    /// `estimators_features_[t]`) at the whole input's columns.
    static func remapFeatures(
        of ensemble: inout TreeEnsemble,
        nodes: Range<Int>,
        through features: [Double],
        featureCount: Int,
        source: any SklearnTreeSource,
        tree: Int
    ) throws(ModelBundleError) {
        for node in nodes where ensemble.nodeFeature[node] >= 0 {
            let local = Int(ensemble.nodeFeature[node])
            guard local < features.count, features[local] >= 0, features[local] < Double(featureCount),
                features[local] == features[local].rounded()
            else {
                throw source.invalid("estimators_features_", "tree \(tree) names a feature out of range")
            }
            ensemble.nodeFeature[node] = Int32(features[local])
        }
    }

    /// Validates, prefixing the validator's "tree t node n" with the estimator.
    static func validated(_ ensemble: TreeEnsemble, estimator: String) throws(ModelBundleError)
        -> ValidatedTreeEnsemble
    {
        do {
            return try ensemble.validated()
        } catch {
            throw ModelBundleError(
                error.code,
                "\(estimator): \(error.message)",
                item: "\(estimator) \(error.item ?? "")"
            )
        }
    }
}

extension SklearnEstimator.Kind {
    /// ExtraTrees forests hold `ExtraTreeClassifier`/`ExtraTreeRegressor`, which predict exactly as
    /// the decision trees do.
    var extraTreeOf: SklearnEstimator.Kind? {
        switch self {
        case .extraTreeClassifier: .decisionTreeClassifier
        case .extraTreeRegressor: .decisionTreeRegressor
        default: nil
        }
    }
}
