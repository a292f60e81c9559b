package import ModelBundle

/// `HistGradientBoostingClassifier`/`Regressor` (`_predictor.pyx`): float64 `x <= num_threshold`,
/// NaN to `missing_go_to_left`'s side, leaf values (shrinkage included) summed in iteration order
/// onto `_baseline_prediction`.
///
/// Categorical features: scikit-learn 1.9 fits a `_preprocessor` (a ColumnTransformer: an
/// OrdinalEncoder with unknown and missing values encoded as NaN on the categorical columns, which
/// it moves first, and a float64 check on the others). It is read as a preprocessing step that runs
/// before the trees, so a categorical split only ever sees NaN or a code `0 ..< n_categories`
/// (at most `max_bins` ≤ 255). `_predict_one_from_raw_data` sends NaN and negative values to the
/// missing side, members of the node's `raw_left_cat_bitsets` row left, other known categories
/// (`_bin_mapper.bin_thresholds_` of that feature) right and unknown ones to the missing side. That
/// is one 256-bit set per node — the left set, plus the unknown categories when missing goes left —
/// with members left and out-of-range values (negative, beyond 255) on the missing side: the
/// ensemble's existing categorical split with ``TreeEnsemble/CategoryRule/xgboost``.
enum SklearnHistGradientBoostingState {
    /// Words of scikit-learn's category bitsets (`X_BITSET_INNER_DTYPE` uint32 × 8: 256 categories).
    static let bitsetWords = 8

    static func model(_ source: any SklearnTreeSource, estimator: String, featureCount: Int)
        throws(ModelBundleError) -> SklearnTreeModel
    {
        var preprocessor: PreprocessingStep? = nil
        var knownCategories: [Int: [UInt32]] = [:]
        if !source.isNone("_preprocessor") {
            guard case .object(let object)? = try source.data("_preprocessor"), object.kind == .columnTransformer else {
                throw source.invalid("_preprocessor", "is not a fitted ColumnTransformer")
            }
            preprocessor = try SklearnPreprocessingState.step(
                object.source,
                name: "\(estimator)._preprocessor",
                depth: 1
            )
            knownCategories = try known(source.object("_bin_mapper"), estimator: estimator, featureCount: featureCount)
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
            categoryRule: .xgboost,
            task: classifier ? .classification : .regression
        )
        for (index, predictor) in predictors.enumerated() {
            guard predictor.kind == .treePredictor else {
                throw source.invalid("_predictors", "holds a \(predictor.kind.shortName), not a TreePredictor")
            }
            let records = try predictor.records("nodes", layout: .histPredictor)
            let leftSets = try knownCategories.isEmpty ? [] : bitsets(predictor, estimator: estimator, tree: index)
            let nodes = try nodes(
                records,
                estimator: estimator,
                tree: index,
                featureCount: featureCount,
                categories: .init(leftSets: leftSets, known: knownCategories),
                ensemble: &ensemble
            )
            try ensemble.appendTree(output: index % perIteration, nodes: nodes)
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: predictors.count) }
        }
        return try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: classes,
            labelRule: .rawPositive,
            flattens: true,
            rejectsNaN: false,
            estimator: estimator,
            preprocessor: preprocessor
        )
    }

    /// What the categorical splits of one model need: each tree's `raw_left_cat_bitsets` rows and,
    /// per categorical feature (in the trees' feature order), the bitset of its known categories.
    struct Categories {
        var leftSets: [[UInt32]]
        var known: [Int: [UInt32]]
    }

    /// `_BinMapper.make_known_categories_bitsets`: for each feature whose `is_categorical_` is set,
    /// the categories listed in its `bin_thresholds_` entry (integral values 0 ... 255).
    static func known(_ mapper: any SklearnTreeSource, estimator: String, featureCount: Int)
        throws(ModelBundleError) -> [Int: [UInt32]]
    {
        guard mapper.kind == .binMapper else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(estimator)._bin_mapper is a \(mapper.kind.shortName), not a _BinMapper",
                item: "\(estimator)._bin_mapper"
            )
        }
        let flags = try mapper.array("is_categorical_")
        guard flags.shape == [featureCount] else {
            throw mapper.invalid("is_categorical_", "does not hold one flag per feature (\(featureCount))")
        }
        guard let thresholds = try mapper.data("bin_thresholds_")?.items, thresholds.count == featureCount else {
            throw mapper.invalid("bin_thresholds_", "does not hold one array per feature (\(featureCount))")
        }
        var known: [Int: [UInt32]] = [:]
        for (feature, flag) in flags.float64Values().enumerated() where flag != 0 {
            guard let values = thresholds[feature].items, values.count <= 256 else {
                throw mapper.invalid("bin_thresholds_", "[\(feature)] is not an array of at most 256 categories")
            }
            var words = [UInt32](repeating: 0, count: bitsetWords)
            for value in values {
                guard let category = value.double, category >= 0, category < 256, category.rounded() == category else {
                    throw mapper.invalid(
                        "bin_thresholds_",
                        "[\(feature)] lists \(value.double.map { "\($0)" } ?? value.kindName), not a category 0 to 255"
                    )
                }
                let code = Int(category)
                words[code >> 5] |= 1 << UInt32(code & 31)
            }
            known[feature] = words
        }
        return known
    }

    /// One predictor's `raw_left_cat_bitsets` ([splits, 8] uint32) as rows of words.
    static func bitsets(_ predictor: any SklearnTreeSource, estimator: String, tree: Int) throws(ModelBundleError)
        -> [[UInt32]]
    {
        let tensor = try predictor.array("raw_left_cat_bitsets")
        guard tensor.dtype == .uint32, tensor.shape.count == 2, tensor.shape[1] == bitsetWords,
            tensor.shape[0] <= TreeEnsembleLimits.maximumNodesPerTree
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(estimator) tree \(tree): raw_left_cat_bitsets is not a [splits, \(bitsetWords)] uint32 array",
                item: "\(estimator) tree \(tree) raw_left_cat_bitsets"
            )
        }
        let words = tensor.float64Values().map { UInt32($0) }
        return (0..<tensor.shape[0]).map { Array(words[($0 * bitsetWords)..<(($0 + 1) * bitsetWords)]) }
    }

    /// One `TreePredictor.nodes` array (PREDICTOR_RECORD_DTYPE) as ensemble nodes.
    static func nodes(
        _ records: SklearnNodeRecords,
        estimator: String,
        tree: Int,
        featureCount: Int,
        categories: Categories = .init(leftSets: [], known: [:]),
        ensemble: inout TreeEnsemble
    ) throws(ModelBundleError) -> [TreeEnsemble.Node] {
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
            let isCategorical = records.uint8(node, at: 51)
            guard isCategorical <= 1 else { throw invalid(node, "has is_categorical \(isCategorical)") }
            let left = Int(records.uint32(node, at: 29))
            let right = Int(records.uint32(node, at: 33))
            let feature = records.int64(node, at: 12)
            if let problem = SklearnTreeReading.splitProblem(
                left: left,
                right: right,
                feature: feature,
                nodeCount: count,
                featureCount: featureCount
            ) {
                throw invalid(node, problem)
            }
            let missing = records.uint8(node, at: 28)
            guard missing <= 1 else { throw invalid(node, "has missing_go_to_left \(missing), not 0 or 1") }
            if isCategorical == 1 {
                guard let known = categories.known[Int(feature)] else {
                    throw invalid(
                        node,
                        "is a categorical split on feature \(feature), which the model's _preprocessor "
                            + "and _bin_mapper do not mark categorical"
                    )
                }
                let index = Int(records.uint32(node, at: 52))
                guard index < categories.leftSets.count else {
                    throw invalid(node, "names category bitset \(index); the tree has \(categories.leftSets.count)")
                }
                // Unknown categories take the missing side: with missing going left, they join the set.
                var words = categories.leftSets[index]
                if missing == 1 {
                    for word in 0..<bitsetWords { words[word] |= ~known[word] }
                }
                let set = try ensemble.appendCategorySet(words)
                nodes.append(
                    .categorical(
                        feature: Int32(feature),
                        categorySet: set,
                        left: Int32(left),
                        right: Int32(right),
                        flags: missing == 1
                            ? [.defaultLeft, .categoryMembersLeft, .categoryOutOfRangeLeft]
                            : [.categoryMembersLeft]
                    )
                )
                continue
            }
            var threshold = records.float64(node, at: 20)
            // A split sending every non-missing value left stores +inf; scikit-learn refuses infinite
            // inputs, so the largest finite double routes every admissible value the same way.
            if threshold == .infinity { threshold = .greatestFiniteMagnitude }
            guard threshold.isFinite else { throw invalid(node, "has a threshold that is not finite") }
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

extension SklearnTreeReading {
    /// One HistGradientBoosting predictor's `nodes` (`.npy` bytes of PREDICTOR_RECORD_DTYPE) with its
    /// `raw_left_cat_bitsets` rows and the known-category bitsets of its categorical features, read
    /// and validated as a one-tree regressor over `featureCount` features: the node reader the
    /// model readers use, as one entry point for hostile-tree tests.
    package static func histPredictorTree(
        npy bytes: [UInt8],
        leftSets: [[UInt32]],
        known: [Int: [UInt32]],
        featureCount: Int
    ) throws(ModelBundleError) -> ValidatedTreeEnsemble {
        let records = try SklearnNodeRecords(npy: bytes, layout: .histPredictor, item: "nodes.npy")
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: 1,
            baseScores: [0],
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            categoryRule: .xgboost,
            task: .regression
        )
        let nodes = try SklearnHistGradientBoostingState.nodes(
            records,
            estimator: "HistGradientBoostingRegressor",
            tree: 0,
            featureCount: featureCount,
            categories: .init(leftSets: leftSets, known: known),
            ensemble: &ensemble
        )
        try ensemble.appendTree(output: 0, nodes: nodes)
        return try ensemble.validated()
    }
}
