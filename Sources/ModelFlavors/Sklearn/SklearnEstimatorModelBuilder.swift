import ModelBundle
import ModelRuntime

/// Turns a read ``SklearnEstimator`` into a runnable model on the native kernels, checking shapes
/// against each other, the classes and the signature.
enum SklearnEstimatorModelBuilder {
    static func model(
        _ estimator: SklearnEstimator,
        predictFunction: String,
        featureWidth: Int?,
        fileName: String
    ) throws(ModelBundleError) -> any FlavorModel {
        // The linear classifiers with probabilities answer predict_log_proba as np.log(predict_proba(X));
        // trees answer it themselves, and the rest refuse it below with their own lists.
        if predictFunction == "predict_log_proba" {
            switch estimator {
            case .logisticRegression, .linearClassifier(_, _, _, _, .modifiedHuber):
                let probabilities = try model(
                    estimator,
                    predictFunction: "predict_proba",
                    featureWidth: featureWidth,
                    fileName: fileName
                )
                return SklearnLogProbabilityModel(probabilities: probabilities)
            default: break
            }
        }
        switch estimator {
        case .trees(let model):
            return try model.flavorModel(predictFunction: predictFunction, featureWidth: featureWidth)
        case .voting(let voting):
            return try SklearnVotingModel(
                voting,
                predictFunction: predictFunction,
                featureWidth: featureWidth,
                fileName: fileName
            )
        case .calibrated(let calibrated):
            return try SklearnCalibratedModel(
                calibrated,
                predictFunction: predictFunction,
                featureWidth: featureWidth,
                fileName: fileName
            )
        case .stacking(let stacking):
            return try SklearnStackingModel(
                stacking,
                predictFunction: predictFunction,
                featureWidth: featureWidth,
                fileName: fileName
            )
        case .linearRegression(let coef, let intercept):
            guard predictFunction == "predict" else {
                throw unsupportedFunction(predictFunction, "a linear regression", ["predict"])
            }
            if coef.dtype == .float32 && intercept.dtype == .float32 {
                return try regression(Float.self, coef, intercept, featureWidth, fileName)
            }
            return try regression(Double.self, coef, intercept, featureWidth, fileName)
        case .logisticRegression(let coef, let intercept, let classes, let strategy):
            guard let output = NativeLogisticRegressionModel<Double>.Output(rawValue: predictFunction) else {
                throw unsupportedFunction(
                    predictFunction,
                    "a logistic regression",
                    ["predict", "predict_proba", "predict_log_proba", "decision_function"]
                )
            }
            if coef.dtype == .float32 && intercept.dtype == .float32 {
                return try logistic(Float.self, coef, intercept, classes, strategy, output, featureWidth, fileName)
            }
            return try logistic(Double.self, coef, intercept, classes, strategy, output, featureWidth, fileName)
        case .linearClassifier(let coef, let intercept, let classes, let strategy, let probabilities):
            // scikit-learn raises for predict_proba on these, except SGDClassifier(loss="modified_huber").
            var supported = ["predict", "decision_function"]
            if probabilities == .modifiedHuber {
                supported.insert(contentsOf: ["predict_proba", "predict_log_proba"], at: 1)
            }
            guard supported.contains(predictFunction) else {
                let what: String
                switch probabilities {
                case .unavailable(let name): what = name
                case .modifiedHuber: what = "an SGDClassifier with loss='modified_huber'"
                }
                throw unsupportedFunction(predictFunction, what, supported)
            }
            if coef.dtype == .float32 && intercept.dtype == .float32 {
                return try classifier(
                    Float.self,
                    coef,
                    intercept,
                    classes,
                    strategy,
                    predictFunction,
                    featureWidth,
                    fileName
                )
            }
            return try classifier(
                Double.self,
                coef,
                intercept,
                classes,
                strategy,
                predictFunction,
                featureWidth,
                fileName
            )
        }
    }

    /// predict and decision_function are a logistic regression's (binary: decision > 0 picks
    /// classes_[1]; one-vs-rest: the first largest score); predict_proba is modified_huber's.
    private static func classifier<Scalar: KernelScalar>(
        _: Scalar.Type,
        _ coef: WeightTensor,
        _ intercept: WeightTensor,
        _ classes: LinearModelFlavorConfiguration.ClassLabels,
        _ strategy: MultiClassStrategy,
        _ predictFunction: String,
        _ featureWidth: Int?,
        _ fileName: String
    ) throws(ModelBundleError) -> any FlavorModel {
        let kernel = try logisticKernel(Scalar.self, coef, intercept, classes, strategy, featureWidth, fileName)
        if predictFunction == "predict_proba" {
            return SklearnModifiedHuberModel(kernel: kernel)
        }
        let output: NativeLogisticRegressionModel<Scalar>.Output =
            predictFunction == "decision_function" ? .decisionFunction : .predict
        return NativeLogisticRegressionModel(kernel: kernel, classes: classes, output: output)
    }

    private static func regression<Scalar: KernelScalar>(
        _: Scalar.Type,
        _ coef: WeightTensor,
        _ intercept: WeightTensor,
        _ featureWidth: Int?,
        _ fileName: String
    ) throws(ModelBundleError) -> any FlavorModel {
        // coef_ is [n] for one target (predictions [rows]) or [k, n] (predictions [rows, k]).
        let oneDimensional = coef.shape.count == 1
        let weights = try weights(Scalar.self, coef, intercept, fileName)
        try check(weights, featureWidth: featureWidth, fileName)
        return SklearnRegressionModel(kernel: LinearRegressionKernel(weights: weights), flattens: oneDimensional)
    }

    private static func logistic<Scalar: KernelScalar>(
        _: Scalar.Type,
        _ coef: WeightTensor,
        _ intercept: WeightTensor,
        _ classes: LinearModelFlavorConfiguration.ClassLabels,
        _ strategy: MultiClassStrategy,
        _ output: NativeLogisticRegressionModel<Double>.Output,
        _ featureWidth: Int?,
        _ fileName: String
    ) throws(ModelBundleError) -> any FlavorModel {
        let kernel = try logisticKernel(Scalar.self, coef, intercept, classes, strategy, featureWidth, fileName)
        let modelOutput = NativeLogisticRegressionModel<Scalar>.Output(rawValue: output.rawValue) ?? .predict
        return NativeLogisticRegressionModel(kernel: kernel, classes: classes, output: modelOutput)
    }

    /// The kernel of a linear classifier, its shapes checked against the classes and the signature.
    private static func logisticKernel<Scalar: KernelScalar>(
        _: Scalar.Type,
        _ coef: WeightTensor,
        _ intercept: WeightTensor,
        _ classes: LinearModelFlavorConfiguration.ClassLabels,
        _ strategy: MultiClassStrategy,
        _ featureWidth: Int?,
        _ fileName: String
    ) throws(ModelBundleError) -> LogisticRegressionKernel<Scalar> {
        guard coef.shape.count == 2 else {
            throw invalid(
                "coef_ has shape \(coef.shape); a linear classifier's is [classes or 1, features]",
                fileName
            )
        }
        let weights = try weights(Scalar.self, coef, intercept, fileName)
        try check(weights, featureWidth: featureWidth, fileName)
        let expectedRows = strategy == .binary ? 1 : classes.count
        guard weights.outputCount == expectedRows else {
            throw invalid(
                "coef_ has \(weights.outputCount) rows; \(classes.count) classes (\(strategy.rawValue)) need "
                    + "\(expectedRows)",
                fileName
            )
        }
        return try LogisticRegressionKernel(weights: weights, strategy: strategy)
    }

    /// coef_ [n] or [k, n]; intercept_ a scalar (0-d, repeated per row: scikit-learn stores 0.0 when
    /// fit_intercept=False) or [k].
    private static func weights<Scalar: KernelScalar>(
        _: Scalar.Type,
        _ coef: WeightTensor,
        _ intercept: WeightTensor,
        _ fileName: String
    ) throws(ModelBundleError) -> LinearModelWeights<Scalar> {
        guard coef.dtype.isFloatingPoint, intercept.dtype.isFloatingPoint else {
            throw invalid("coef_ and intercept_ must be floating-point arrays", fileName)
        }
        let rows: Int
        let columns: Int
        switch coef.shape.count {
        case 1: (rows, columns) = (1, coef.shape[0])
        case 2: (rows, columns) = (coef.shape[0], coef.shape[1])
        default: throw invalid("coef_ has shape \(coef.shape); expected [features] or [targets, features]", fileName)
        }
        var intercepts = values(Scalar.self, intercept)
        if intercept.shape.isEmpty, intercepts.count == 1, rows > 1 {
            intercepts = Array(repeating: intercepts[0], count: rows)
        }
        guard intercept.shape.count <= 1 else {
            throw invalid("intercept_ has shape \(intercept.shape); expected a scalar or [targets]", fileName)
        }
        do {
            return try LinearModelWeights<Scalar>(
                coefficients: values(Scalar.self, coef),
                intercepts: intercepts,
                outputCount: rows,
                featureCount: columns
            )
        } catch {
            let item = error.item.map { "\(fileName):\($0)_" } ?? fileName
            throw ModelBundleError(error.code, "\(fileName): \(error.message)", item: item, detail: error.detail)
        }
    }

    private static func values<Scalar: KernelScalar>(_: Scalar.Type, _ tensor: WeightTensor) -> [Scalar] {
        if Scalar.self == Float.self, let floats = tensor.float32Values() as? [Scalar] { return floats }
        return tensor.float64Values().map { Scalar($0) }
    }

    private static func check<Scalar: KernelScalar>(
        _ weights: LinearModelWeights<Scalar>,
        featureWidth: Int?,
        _ fileName: String
    ) throws(ModelBundleError) {
        if let featureWidth, featureWidth != weights.featureCount {
            throw invalid(
                "coef_ has \(weights.featureCount) feature columns but the signature's inputs have \(featureWidth)",
                fileName
            )
        }
    }

    private static func invalid(_ message: String, _ fileName: String) -> ModelBundleError {
        ModelBundleError(.weightsInvalid, "\(fileName): \(message)", item: "\(fileName):coef_")
    }

    /// The refusal of a `predict_fn` the estimator does not offer (also used by `mbundle convert`).
    static func unsupportedFunction(_ name: String, _ what: String, _ supported: [String]) -> ModelBundleError {
        ModelBundleError(
            .flavorUnavailable,
            "MLmodel field flavors.python_function.predict_fn is \(name), which \(what) does not offer; supported: "
                + supported.joined(separator: ", "),
            item: "flavors.python_function.predict_fn"
        )
    }
}

/// A scikit-learn regressor: predictions [rows] when `coef_` was one-dimensional, else [rows, k].
struct SklearnRegressionModel<Scalar: KernelScalar>: FlavorModel {
    let kernel: LinearRegressionKernel<Scalar>
    let flattens: Bool

    func predict(rows input: NativeLinearRows<Scalar>) throws(ModelBundleError) -> PredictionOutput {
        let output = input.withKernelRows { kernel.predict($0, rowCount: input.rowCount) }
        return try NativeLinearOutput.floats(
            output,
            shape: flattens ? [input.rowCount] : [input.rowCount, kernel.targetCount]
        )
    }
}

extension SklearnRegressionModel: NativeLinearRowsModel {
    var featureCount: Int { kernel.featureCount }

    var floatPrediction: FloatPrediction<Scalar>? {
        FloatPrediction(
            core: kernel.core,
            operation: .scores,
            shape: LentOutputShape(width: kernel.targetCount, isVector: flattens)
        )
    }
}

extension SklearnRegressionModel: LinearFoldable {
    var linearWeights: LinearModelWeights<Scalar> { kernel.weights }

    func replacingWeights(_ weights: LinearModelWeights<Scalar>) -> Self {
        Self(kernel: LinearRegressionKernel(weights: weights), flattens: flattens)
    }
}
