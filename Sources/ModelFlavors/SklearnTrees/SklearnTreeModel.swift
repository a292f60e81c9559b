import ModelBundle
import ModelRuntime

/// A scikit-learn tree model read from an `mlflow.sklearn` bundle, evaluated on the validated
/// ``TreeEnsemble`` with scikit-learn's label rules. Immutable once built.
struct SklearnTreeModel: Sendable {
    /// How `predict` turns outputs into a class.
    enum LabelRule: Sendable {
        /// Trees and forests: the first largest averaged probability.
        case argmaxTransformed
        /// GradientBoosting: binary raw score >= 0 picks classes_[1]; else the first largest raw score.
        case rawNonNegative
        /// HistGradientBoosting: binary raw score > 0; else the first largest raw score.
        case rawPositive
    }

    let ensemble: ValidatedTreeEnsemble
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

    init(
        ensemble: ValidatedTreeEnsemble,
        classes: LinearModelFlavorConfiguration.ClassLabels?,
        labelRule: LabelRule,
        flattens: Bool,
        rejectsNaN: Bool,
        estimator: String,
        preprocessor: PreprocessingStep? = nil
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
        self.classes = classes
        self.labelRule = labelRule
        self.flattens = flattens
        self.rejectsNaN = rejectsNaN
        self.estimator = estimator
        self.preprocessor = preprocessor
    }

    var featureCount: Int { ensemble.ensemble.featureCount }
    var isClassifier: Bool { classes != nil }

    /// The runnable model for `predict_fn` (`predict`, or `predict_proba` for classifiers).
    func flavorModel(predictFunction: String, featureWidth: Int?) throws(ModelBundleError) -> any FlavorModel {
        let supported = isClassifier ? ["predict", "predict_proba"] : ["predict"]
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

    /// One row's class index, per ``labelRule``.
    func classIndex(raw: [Double], transformed: [Double]) -> Int {
        switch labelRule {
        case .argmaxTransformed: return ensemble.classIndex(transformed)
        case .rawNonNegative where raw.count == 1: return raw[0] >= 0 ? 1 : 0
        case .rawPositive where raw.count == 1: return raw[0] > 0 ? 1 : 0
        case .rawNonNegative, .rawPositive:
            var best = 0
            for k in 1..<raw.count where raw[k] > raw[best] { best = k }
            return best
        }
    }
}

/// `predict` or `predict_proba` of a ``SklearnTreeModel`` as a flavor model.
struct SklearnTreeFlavorModel: FlavorModel {
    enum Output: String, Sendable {
        case predict
        case predictProba = "predict_proba"
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
        if model.rejectsNaN, let index = input.values.firstIndex(where: \.isNaN) {
            throw ModelBundleError(
                .inputInvalid,
                "row \(index / width) feature \(index % width): a missing value (NaN); \(model.estimator) needs "
                    + "finite numbers, as scikit-learn's predict does",
                item: "row \(index / width)"
            )
        }
        let ensemble = model.ensemble
        let outputs = ensemble.ensemble.outputCount
        var labels: [Int] = []
        var numbers: [Double] = []
        input.values.withUnsafeBufferPointer { all in
            for row in 0..<rows {
                let slice = UnsafeBufferPointer(rebasing: all[(row * width)..<((row + 1) * width)])
                let raw = ensemble.rawScores(row: slice)
                let transformed = ensemble.transformed(raw)
                switch (output, model.classes) {
                case (.predict, nil): numbers.append(contentsOf: transformed)
                case (.predict, _?): labels.append(model.classIndex(raw: raw, transformed: transformed))
                case (.predictProba, _): numbers.append(contentsOf: ensemble.probabilities(transformed))
                }
            }
        }
        switch (output, model.classes) {
        case (.predict, let classes?):
            return try NativeLinearOutput.tensor(shape: [rows], values: classes.values(at: labels))
        case (.predict, nil):
            return try NativeLinearOutput.tensor(
                shape: model.flattens ? [rows] : [rows, outputs],
                values: .double(numbers)
            )
        case (.predictProba, _):
            return try NativeLinearOutput.tensor(shape: [rows, max(outputs, 2)], values: .double(numbers))
        }
    }
}
