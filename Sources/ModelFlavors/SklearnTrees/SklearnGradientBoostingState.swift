import ModelBundle
import SystemPlatform

/// `GradientBoostingClassifier`/`Regressor` (scikit-learn `_gb.py`, `predict_stages`): the init
/// estimator's raw prediction is the base score, each stage's tree `k` adds `learning_rate * value`
/// to output `k` in float64, X compared as float32.
enum SklearnGradientBoostingState {
    static func model(_ source: any SklearnTreeSource, estimator: String, featureCount: Int)
        throws(ModelBundleError) -> SklearnTreeModel
    {
        let classifier = source.kind == .gradientBoostingClassifier
        let loss = source.text("loss") ?? "(missing)"
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        var outputs = 1
        let link: TreeEnsemble.Link
        var linkScale = 1.0
        if classifier {
            let labels = try source.labels("classes_")
            classes = labels
            outputs = labels.count == 2 ? 1 : labels.count
            switch (loss, outputs) {
            case ("log_loss", 1): link = .sigmoid
            case ("log_loss", _): link = .softmax
            case ("exponential", 1):
                link = .sigmoid  // HalfLogitLink: expit(2 * raw)
                linkScale = 2
            default: throw unsupported(loss, estimator)
            }
        } else {
            guard ["squared_error", "absolute_error", "huber", "quantile"].contains(loss) else {
                throw unsupported(loss, estimator)
            }
            link = .identity
        }
        let learningRate = try source.number("learning_rate")
        guard learningRate.isFinite else { throw source.invalid("learning_rate", "is not finite") }
        let trees = try source.objects("estimators_", limit: SklearnTreeState.maximumEstimators)
        guard !trees.isEmpty, trees.count % outputs == 0 else {
            throw source.invalid(
                "estimators_",
                "holds \(trees.count) trees, not a whole number of stages of \(outputs)"
            )
        }
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: outputs,
            baseScores: try baseScores(source, loss: loss, outputs: outputs, classifier: classifier, estimator),
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            combination: .sum,
            link: link,
            linkScale: linkScale,
            task: classifier ? .classification : .regression
        )
        // estimators_ is [stages, K] in C order: tree i feeds output i % K.
        for (index, tree) in trees.enumerated() {
            guard tree.kind == .decisionTreeRegressor else {
                throw source.invalid("estimators_", "holds a \(tree.kind.shortName), not a DecisionTreeRegressor")
            }
            try SklearnTreeState.appendTree(
                of: tree,
                estimator: estimator,
                index: index,
                featureCount: featureCount,
                valueWidth: 1,
                to: &ensemble,
                output: index % outputs,
                leaf: { leaves, range in leaves[range.lowerBound] = learningRate * leaves[range.lowerBound] }
            )
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        return try SklearnTreeModel(
            ensemble: SklearnTreeState.validated(ensemble, estimator: estimator),
            classes: classes,
            labelRule: .rawNonNegative,
            flattens: true,
            // GradientBoosting's predict validates X with all values finite: NaN is refused there.
            rejectsNaN: true,
            estimator: estimator,
            logProbabilityRule: .logOfProbabilities
        )
    }

    private static func unsupported(_ loss: String, _ estimator: String) -> ModelBundleError {
        ModelBundleError(
            .flavorUnavailable,
            "\(estimator) uses loss '\(loss)', which this build does not run; supported: log_loss, exponential "
                + "(classifiers), squared_error, absolute_error, huber, quantile (regressors)",
            item: "\(estimator).loss"
        )
    }

    /// `_raw_predict_init`: zeros for `init='zero'`; else the prior DummyClassifier's clipped class
    /// probabilities through the loss's link, or the DummyRegressor's constant.
    private static func baseScores(
        _ source: any SklearnTreeSource,
        loss: String,
        outputs: Int,
        classifier: Bool,
        _ estimator: String
    ) throws(ModelBundleError) -> [Double] {
        if source.text("init_") == "zero" { return [Double](repeating: 0, count: outputs) }
        let initial = try source.object("init_")
        if !classifier {
            guard initial.kind == .dummyRegressor else {
                throw unsupportedInit(initial.kind, estimator)
            }
            let constant = try initial.array("constant_").float64Values()
            guard constant.count == 1, constant[0].isFinite else {
                throw initial.invalid("constant_", "is not one finite number")
            }
            return constant
        }
        guard initial.kind == .dummyClassifier, initial.text("_strategy") ?? initial.text("strategy") == "prior" else {
            throw unsupportedInit(initial.kind, estimator)
        }
        let prior = try initial.array("class_prior_").float64Values()
        guard prior.count == max(outputs, 2), prior.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) else {
            throw initial.invalid("class_prior_", "is not one probability per class")
        }
        let eps = Double.ulpOfOne
        func clip(_ p: Double) -> Double { min(max(p, eps), 1 - eps) }
        if outputs == 1 {
            let logit = SklearnLinks.logit(clip(prior[1]))
            return [loss == "exponential" ? 0.5 * logit : logit]
        }
        // MultinomialLogit.link: log(p / gmean(p)), gmean = exp(mean(log p)).
        let clipped = prior.map(clip)
        let logs = clipped.map { log($0) }
        let mean = SklearnTreeReading.numpySum(logs[...]) / Double(logs.count)
        let geometric = exp(mean)
        return clipped.map { log($0 / geometric) }
    }

    private static func unsupportedInit(_ kind: SklearnEstimator.Kind, _ estimator: String) -> ModelBundleError {
        ModelBundleError(
            .flavorUnavailable,
            "\(estimator)'s init_ is a \(kind.shortName); supported: 'zero', DummyClassifier(strategy='prior'), "
                + "DummyRegressor",
            item: "\(estimator).init_"
        )
    }
}

/// scipy's `special.logit` for doubles (xsf `log_exp.h`), which scikit-learn's links call.
enum SklearnLinks {
    static func logit(_ x: Double) -> Double {
        if x < 0.3 || x > 0.65 { return log(x / (1 - x)) }
        let s = 2 * (x - 0.5)
        return log1p(s) - log1p(-s)
    }
}
