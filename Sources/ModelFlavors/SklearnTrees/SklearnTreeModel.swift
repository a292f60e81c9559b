import ModelBundle
import ModelRuntime
import SystemPlatform

/// A scikit-learn tree model read from an `mlflow.sklearn` bundle, evaluated on the validated
/// ``TreeEnsemble`` with scikit-learn's label rules. Immutable once built.
struct SklearnTreeModel: Sendable {
    /// How `predict` turns outputs into a class.
    enum LabelRule: Sendable, Equatable {
        /// Trees and forests: the first largest averaged probability.
        case argmaxTransformed
        /// GradientBoosting: binary raw score >= 0 picks classes_[1]; else the first largest raw score.
        case rawNonNegative
        /// HistGradientBoosting: binary raw score > 0; else the first largest raw score.
        case rawPositive
        /// IsolationForest: the raw score is the summed depth; the decision
        /// `−2^(−depth / denominator) − offset` (score 1 when the denominator is 0) below 0 is an
        /// outlier (class index 0, label −1), else an inlier.
        case isolation(denominator: Double, offset: Double)
        /// XGBClassifier with multi:softmax: the first largest raw margin (probabilities are the link's).
        case marginArgmax
        /// AdaBoostClassifier (SAMME): each tree's leaf holds its weighted vote (``SklearnAdaBoostState``),
        /// the raw scores are their sums; the decision divides them by the weights' total.
        case samme(weightTotal: Double)
        /// AdaBoostRegressor: each tree feeds its own output; `predict` is their median weighted by
        /// `estimator_weights_` (``SklearnAdaBoostState/weightedMedian(_:weights:)``).
        case weightedMedian(weights: [Double])
    }

    /// How a classifier answers `predict_log_proba`, where scikit-learn offers it.
    enum LogProbabilityRule: Sendable, Equatable {
        /// `np.log(predict_proba(X))`: trees, forests, GradientBoosting, AdaBoost.
        case logOfProbabilities
        /// BaggingClassifier of trees: each tree's `np.log` of its probabilities, added with
        /// `np.logaddexp` in tree order from −inf, less `log(n_estimators)` (`_bagging.py`).
        case baggingLogSum
    }

    let ensemble: ValidatedTreeEnsemble
    /// The batch evaluator of ``ensemble``, laid out once at load.
    let kernel: TreeEnsembleKernel
    let classes: LinearModelFlavorConfiguration.ClassLabels?
    let labelRule: LabelRule
    /// Regressors with one output answer [rows]; multi-output ones [rows, outputs].
    let flattens: Bool
    /// GradientBoosting refuses NaN (its predict validates all values finite).
    let rejectsNaN: Bool
    let estimator: String
    /// A step the estimator runs on its input before the trees (a categorical HistGradientBoosting's
    /// `_preprocessor`); ``SklearnModelState`` puts it at the end of the model's preprocessing stage.
    let preprocessor: PreprocessingStep?
    /// nil where scikit-learn has no `predict_log_proba` (HistGradientBoosting, the XGBoost and
    /// LightGBM wrappers, IsolationForest) or for a regressor.
    let logProbabilityRule: LogProbabilityRule?
    /// An XGBoost or LightGBM wrapper fitted on pandas `category` columns (``BoosterFrameCheck``).
    var fittedOnCategoryColumns = false

    init(
        ensemble: ValidatedTreeEnsemble,
        classes: LinearModelFlavorConfiguration.ClassLabels?,
        labelRule: LabelRule,
        flattens: Bool,
        rejectsNaN: Bool,
        estimator: String,
        preprocessor: PreprocessingStep? = nil,
        logProbabilityRule: LogProbabilityRule? = nil
    ) throws(ModelBundleError) {
        if let classes {
            let outputs = ensemble.ensemble.outputCount
            guard classes.count == (outputs == 1 ? 2 : outputs) else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(estimator): classes_ lists \(classes.count) classes but the trees have \(outputs) outputs",
                    item: "\(estimator).classes_"
                )
            }
        }
        self.ensemble = ensemble
        self.kernel = TreeEnsembleKernel(ensemble)
        self.classes = classes
        self.labelRule = labelRule
        self.flattens = flattens
        self.rejectsNaN = rejectsNaN
        self.estimator = estimator
        self.preprocessor = preprocessor
        self.logProbabilityRule = classes == nil ? nil : logProbabilityRule
    }

    var featureCount: Int { ensemble.ensemble.featureCount }
    var isClassifier: Bool { classes != nil }

    /// Gradient-boosting classifiers (GradientBoosting, HistGradientBoosting) answer their raw scores
    /// as `decision_function`, AdaBoost its normalised votes; trees, forests, bagging and the XGBoost
    /// and LightGBM wrappers have none.
    var offersDecisionFunction: Bool {
        switch labelRule {
        case .rawNonNegative, .rawPositive, .samme: isClassifier
        case .argmaxTransformed, .marginArgmax, .isolation, .weightedMedian: false
        }
    }

    /// IsolationForest: `predict` only (MLflow's sklearn flavor offers nothing else for it), and
    /// inputs beyond float32 are taken, as its `validate_data(ensure_all_finite=False)` takes them.
    var isOutlierDetector: Bool {
        if case .isolation = labelRule { return true }
        return false
    }

    /// scikit-learn's own trees compare float32 features: its `check_array` refuses what float32 cannot
    /// hold (IsolationForest takes any value).
    var checksFloat32Inputs: Bool { ensemble.ensemble.comparison == .float32LessOrEqual && !isOutlierDetector }

    /// Whether the native `tree_ensemble` flavor can hold the model: its label rules are the
    /// forests' and the boosters'; IsolationForest's score and AdaBoost's votes are not among them.
    var nativeRuleName: String? {
        switch labelRule {
        case .argmaxTransformed, .rawNonNegative, .rawPositive: nil
        case .marginArgmax: "class from the margins (multi:softmax)"
        case .isolation: "outlier score"
        case .samme: "weighted vote (SAMME)"
        case .weightedMedian: "weighted median"
        }
    }

    /// The runnable model for `predict_fn` (`predict`, `predict_proba` for classifiers,
    /// `predict_log_proba` where scikit-learn has it, `decision_function` for gradient-boosting and
    /// AdaBoost classifiers).
    func flavorModel(predictFunction: String, featureWidth: Int?) throws(ModelBundleError) -> any FlavorModel {
        var supported = ["predict"]
        if isClassifier && !isOutlierDetector {
            supported.append("predict_proba")
            if logProbabilityRule != nil { supported.append("predict_log_proba") }
            if offersDecisionFunction { supported.append("decision_function") }
        }
        guard let output = SklearnTreeFlavorModel.Output(rawValue: predictFunction), supported.contains(predictFunction)
        else {
            throw SklearnEstimatorModelBuilder.unsupportedFunction(predictFunction, "a \(estimator)", supported)
        }
        if let featureWidth, featureWidth != featureCount {
            throw ModelBundleError(
                .weightsInvalid,
                "\(estimator) takes \(featureCount) features but the signature's inputs have \(featureWidth)",
                item: "\(estimator).n_features_in_"
            )
        }
        return SklearnTreeFlavorModel(model: self, output: output)
    }

    /// One row's class index, per ``labelRule``, from its `width` raw and transformed scores.
    func classIndex<Acc: TreeAccumulator>(
        raw: UnsafeBufferPointer<Acc>,
        transformed: UnsafeBufferPointer<Acc>
    ) -> Int {
        let scores: UnsafeBufferPointer<Acc>
        switch labelRule {
        case .argmaxTransformed:
            if transformed.count == 1 { return transformed[0] > 0.5 ? 1 : 0 }
            scores = transformed
        case .rawNonNegative where raw.count == 1: return raw[0] >= 0 ? 1 : 0
        case .rawPositive where raw.count == 1: return raw[0] > 0 ? 1 : 0
        case .rawNonNegative, .rawPositive, .marginArgmax: scores = raw
        case .isolation(let denominator, let offset):
            let depth = Double(raw[0])
            let score: Double = denominator != 0 ? SystemPlatform.pow(2.0, -(depth / denominator)) : 1
            return -score - offset < 0 ? 0 : 1
        case .samme(let total):
            // The decision's sign or first largest, without building it per row.
            if raw.count == 2 { return -(Double(raw[0]) / total) + Double(raw[1]) / total > 0 ? 1 : 0 }
            var (best, largest) = (0, Double(raw[0]) / total)
            for k in 1..<raw.count where Double(raw[k]) / total > largest {
                (best, largest) = (k, Double(raw[k]) / total)
            }
            return best
        case .weightedMedian: return 0
        }
        var best = 0
        for k in 1..<scores.count where scores[k] > scores[best] { best = k }
        return best
    }

    /// Scores `rows` rows with the batch kernel and appends the answer of `output`: class indices
    /// to `labels`, or values (transformed scores, or [1 - p, p] for one probability) to `numbers`.
    fileprivate func answer<Acc: TreeAccumulator>(
        _: Acc.Type,
        _ values: [Double],
        rows: Int,
        _ output: SklearnTreeFlavorModel.Output,
        _ labels: inout [Int],
        _ numbers: inout [Double]
    ) {
        if output == .predictLogProba {
            if logProbabilityRule == .baggingLogSum {
                numbers = baggingLogProbabilities(values, rows: rows)
                return
            }
            answer(Acc.self, values, rows: rows, .predictProba, &labels, &numbers)
            for index in numbers.indices { numbers[index] = SystemPlatform.log(numbers[index]) }
            return
        }
        let e = ensemble.ensemble
        let width = e.outputCount
        let raw = kernel.raw(Acc.self, values, rows: rows)
        switch labelRule {
        case .samme(let total) where output != .predict:
            numbers = SklearnAdaBoostState.scores(
                raw,
                width: width,
                total: total,
                probabilities: output == .predictProba
            )
            return
        case .weightedMedian(let weights):
            numbers = raw.withUnsafeBufferPointer { raw in
                (0..<rows).map { row in
                    SklearnAdaBoostState.weightedMedian(
                        UnsafeBufferPointer(rebasing: raw[(row * width)..<((row + 1) * width)]),
                        weights: weights
                    )
                }
            }
            return
        default: break
        }
        let transformed = TreeEnsemblePrediction.transform(raw, e.link, scale: e.linkScale, width: width)
        switch (output, classes) {
        case (.predict, nil):
            numbers = transformed.map { Double($0) }
        case (.predict, _?):
            labels = [Int](repeating: 0, count: rows)
            raw.withUnsafeBufferPointer { raw in
                transformed.withUnsafeBufferPointer { transformed in
                    for row in 0..<rows {
                        let scores = (row * width)..<((row + 1) * width)
                        labels[row] = classIndex(
                            raw: UnsafeBufferPointer(rebasing: raw[scores]),
                            transformed: UnsafeBufferPointer(rebasing: transformed[scores])
                        )
                    }
                }
            }
        case (.decisionFunction, _):
            // The raw scores (baseline included) before the link: [rows] for two classes, as raveled.
            numbers = raw.map { Double($0) }
        case (.predictProba, _), (.predictLogProba, _):
            guard width == 1 else {
                numbers = transformed.map { Double($0) }
                return
            }
            numbers.reserveCapacity(rows * 2)
            for p in transformed {
                numbers.append(Double(1 - p))
                numbers.append(Double(p))
            }
        }
    }
}

extension SklearnTreeModel {
    /// `BaggingClassifier.predict_log_proba` with `n_jobs=1`: from −inf, each tree's log
    /// probabilities added with `np.logaddexp` in tree order, then `log(n_estimators)` taken off.
    /// Per row through the reference evaluator, because the batch kernel only answers the sums.
    fileprivate func baggingLogProbabilities(_ values: [Double], rows: Int) -> [Double] {
        let e = ensemble.ensemble
        let width = e.leafWidth
        let features = e.featureCount
        let shift = SystemPlatform.log(Double(e.treeCount))
        var result = [Double](repeating: -.infinity, count: rows * width)
        values.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                let x = UnsafeBufferPointer(rebasing: values[(row * features)..<((row + 1) * features)])
                for tree in 0..<e.treeCount {
                    let leaf = ensemble.leaf(tree: tree, row: x)
                    for k in 0..<width {
                        let logProbability = SystemPlatform.log(e.leafValues[leaf * width + k])
                        result[row * width + k] = Self.logAddExp(result[row * width + k], logProbability)
                    }
                }
                for k in 0..<width { result[row * width + k] -= shift }
            }
        }
        return result
    }

    /// numpy's `npy_logaddexp`: equal arguments (infinities of one sign too) give `x + log 2`,
    /// otherwise the larger plus `log1p(exp(−|x − y|))`; a NaN difference is returned as it is.
    static func logAddExp(_ x: Double, _ y: Double) -> Double {
        if x == y { return x + 0.693_147_180_559_945_309_417_232_121_458_176_568 }
        let difference = x - y
        if difference > 0 { return x + SystemPlatform.log1p(SystemPlatform.exp(-difference)) }
        if difference <= 0 { return y + SystemPlatform.log1p(SystemPlatform.exp(difference)) }
        return difference
    }
}

/// `predict`, `predict_proba`, `predict_log_proba` or `decision_function` of a ``SklearnTreeModel`` as a
/// flavor model.
struct SklearnTreeFlavorModel: FlavorModel {
    enum Output: String, Sendable {
        case predict
        case predictProba = "predict_proba"
        case predictLogProba = "predict_log_proba"
        case decisionFunction = "decision_function"
    }

    let model: SklearnTreeModel
    let output: Output

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        let input = try NativeLinearInput<Double>(
            request.input,
            featureCount: model.featureCount,
            rowOffset: request.rowOffset,
            nullsAsNaN: true
        )
        let rows = input.rowCount
        let width = model.featureCount
        if model.checksFloat32Inputs {
            try Float32InputCheck.scikitLearn(estimator: model.estimator).check(
                input.values,
                width: width,
                rowOffset: request.rowOffset
            )
        }
        if model.rejectsNaN, let index = input.values.firstIndex(where: \.isNaN) {
            throw ModelBundleError(
                .inputInvalid,
                "row \(index / width) feature \(index % width): a missing value (NaN); \(model.estimator) needs "
                    + "finite numbers, as scikit-learn's predict does",
                item: "row \(index / width)"
            )
        }
        let outputs = model.ensemble.ensemble.outputCount
        var labels: [Int] = []
        var numbers: [Double] = []
        // The batch kernel (blocks of rows, both cores); its sums are bit-identical to the reference
        // evaluator's (TreeKernelTests), so scikit-learn's label rules read the same raw scores.
        switch model.ensemble.ensemble.accumulation {
        case .float32: model.answer(Float.self, input.values, rows: rows, output, &labels, &numbers)
        case .float64: model.answer(Double.self, input.values, rows: rows, output, &labels, &numbers)
        }
        switch (output, model.classes) {
        case (.predict, let classes?):
            return try NativeLinearOutput.tensor(shape: [rows], values: classes.values(at: labels))
        case (.predict, nil):
            return try NativeLinearOutput.tensor(
                shape: model.flattens ? [rows] : [rows, outputs],
                values: .double(numbers)
            )
        case (.predictProba, _), (.predictLogProba, _):
            return try NativeLinearOutput.tensor(shape: [rows, max(outputs, 2)], values: .double(numbers))
        case (.decisionFunction, _):
            // AdaBoost's two outputs (one per class) answer one binary decision, as one raw score does.
            let binary = outputs == 1 || (outputs == 2 && numbers.count == rows)
            return try NativeLinearOutput.tensor(
                shape: binary ? [rows] : [rows, outputs],
                values: .double(numbers)
            )
        }
    }
}
