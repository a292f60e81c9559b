import ModelBundle
import ModelRuntime

/// A loaded `linear_regression`: predictions [n] for one target, [n, k] for k targets.
struct NativeLinearRegressionModel<Scalar: KernelScalar>: FlavorModel {
    let kernel: LinearRegressionKernel<Scalar>

    func predict(rows input: NativeLinearRows<Scalar>) throws(ModelBundleError) -> PredictionOutput {
        let targets = kernel.targetCount
        let output = input.withKernelRows { kernel.predict($0, rowCount: input.rowCount) }
        return try NativeLinearOutput.floats(
            output,
            shape: targets == 1 ? [input.rowCount] : [input.rowCount, targets]
        )
    }
}

extension NativeLinearRegressionModel: NativeLinearRowsModel {
    var featureCount: Int { kernel.featureCount }

    var floatPrediction: FloatPrediction<Scalar>? {
        let targets = kernel.targetCount
        return FloatPrediction(
            core: kernel.core,
            operation: .scores,
            shape: LentOutputShape(width: targets, isVector: targets == 1)
        )
    }
}

/// A loaded `logistic_regression`, answering with the function `predict_fn` names.
struct NativeLogisticRegressionModel<Scalar: KernelScalar>: FlavorModel {
    enum Output: String {
        case predict
        case predictProba = "predict_proba"
        case decisionFunction = "decision_function"
    }

    let kernel: LogisticRegressionKernel<Scalar>
    let classes: LinearModelFlavorConfiguration.ClassLabels
    let output: Output

    func predict(rows input: NativeLinearRows<Scalar>) throws(ModelBundleError) -> PredictionOutput {
        let rows = input.rowCount
        switch output {
        case .predict:
            let indices = input.withKernelRows { kernel.predictClassIndices($0, rowCount: rows) }
            // Indices are < classCount == classes.count by the loader's checks.
            return try NativeLinearOutput.tensor(shape: [rows], values: classes.values(at: indices))
        case .predictProba:
            let probabilities = input.withKernelRows { kernel.predictProbabilities($0, rowCount: rows) }
            return try NativeLinearOutput.floats(probabilities, shape: [rows, kernel.classCount])
        case .decisionFunction:
            let scores = input.withKernelRows { kernel.decisionFunction($0, rowCount: rows) }
            let width = kernel.decisionWidth
            return try NativeLinearOutput.floats(scores, shape: width == 1 ? [rows] : [rows, width])
        }
    }
}

extension NativeLogisticRegressionModel: NativeLinearRowsModel {
    var featureCount: Int { kernel.featureCount }

    var floatPrediction: FloatPrediction<Scalar>? {
        switch output {
        case .predict: return nil
        case .predictProba:
            return FloatPrediction(
                core: kernel.core,
                operation: kernel.probabilityOperation,
                shape: LentOutputShape(width: kernel.classCount, isVector: false)
            )
        case .decisionFunction:
            let width = kernel.decisionWidth
            return FloatPrediction(
                core: kernel.core,
                operation: .scores,
                shape: LentOutputShape(width: width, isVector: width == 1)
            )
        }
    }
}

/// Output tensors: float64 models answer float64, float32 models float32 (as numpy would).
enum NativeLinearOutput {
    static func floats<Scalar: KernelScalar>(_ values: [Scalar], shape: [Int]) throws(ModelBundleError)
        -> PredictionOutput
    {
        // The array itself, not `values as? [Double]`: that cast checks and copies element by
        // element through the generic witness table (12 % of a 1,000,000-row Parquet request).
        if Scalar.self == Double.self {
            return try tensor(shape: shape, values: .double(unsafeBitCast(values, to: [Double].self)))
        }
        if Scalar.self == Float.self {
            return try tensor(shape: shape, values: .float(unsafeBitCast(values, to: [Float].self)))
        }
        return try tensor(shape: shape, values: .double(values.map { Double($0) }))
    }

    static func tensor(shape: [Int], values: ColumnValues) throws(ModelBundleError) -> PredictionOutput {
        .tensor(try Tensor(shape: shape, values: values))
    }
}

extension NativeLinearRegressionModel: LinearFoldable {
    var linearWeights: LinearModelWeights<Scalar> { kernel.weights }

    func replacingWeights(_ weights: LinearModelWeights<Scalar>) -> Self {
        Self(kernel: LinearRegressionKernel(weights: weights))
    }
}

extension NativeLogisticRegressionModel: LinearFoldable {
    var linearWeights: LinearModelWeights<Scalar> { kernel.weights }

    func replacingWeights(_ weights: LinearModelWeights<Scalar>) throws(ModelBundleError) -> Self {
        Self(
            kernel: try LogisticRegressionKernel(weights: weights, strategy: kernel.strategy),
            classes: classes,
            output: output
        )
    }
}
