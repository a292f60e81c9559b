import ModelBundle
import ModelRuntime

/// `SGDClassifier(loss="modified_huber").predict_proba`, as scikit-learn computes it from the
/// decision function d: binary, p = (clip(d, −1, 1) + 1) / 2 and the row is [1 − p, p]; one-vs-rest,
/// each class's (clip(d, −1, 1) + 1) / 2 divided by the row's sum, and a row whose values are all
/// 0 (every d ≤ −1) becomes uniform.
struct SklearnModifiedHuberModel<Scalar: KernelScalar>: FlavorModel {
    let kernel: LogisticRegressionKernel<Scalar>

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        let input = try NativeLinearRows<Scalar>(
            request.input,
            featureCount: kernel.featureCount,
            rowOffset: request.rowOffset
        )
        let scores = input.withKernelRows { kernel.decisionFunction($0, rowCount: input.rowCount) }
        let rows = input.rowCount
        let classes = kernel.classCount
        var probabilities = [Scalar](repeating: 0, count: rows * classes)
        for row in 0..<rows {
            if kernel.strategy == .binary {
                let positive = (min(max(scores[row], -1), 1) + 1) / 2
                probabilities[row * 2] = 1 - positive
                probabilities[row * 2 + 1] = positive
                continue
            }
            var sum: Scalar = 0
            for column in 0..<classes {
                let value = (min(max(scores[row * classes + column], -1), 1) + 1) / 2
                probabilities[row * classes + column] = value
                sum += value
            }
            for column in 0..<classes {
                let index = row * classes + column
                probabilities[index] = sum == 0 ? 1 / Scalar(classes) : probabilities[index] / sum
            }
        }
        return try NativeLinearOutput.floats(probabilities, shape: [rows, classes])
    }
}

extension SklearnModifiedHuberModel: LinearFoldable {
    var linearWeights: LinearModelWeights<Scalar> { kernel.weights }

    func replacingWeights(_ weights: LinearModelWeights<Scalar>) throws(ModelBundleError) -> Self {
        Self(kernel: try LogisticRegressionKernel(weights: weights, strategy: kernel.strategy))
    }
}
