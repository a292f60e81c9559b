import ModelBundle
import ModelRuntime
import SystemPlatform

/// `predict_log_proba` of the linear classifiers that have it (`LogisticRegression`,
/// `LogisticRegressionCV`, `SGDClassifier` with `log_loss` or `modified_huber`): scikit-learn answers
/// `np.log(self.predict_proba(X))`, so this takes the logarithm of each probability `model` answers
/// (a zero probability becomes −inf, as numpy's does). numpy's vectorised `log` may differ from the C
/// library's in the last bit.
struct SklearnLogProbabilityModel: FlavorModel {
    let probabilities: any FlavorModel

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        guard case .tensor(let tensor) = try probabilities.predict(request) else {
            throw Self.notNumbers
        }
        switch tensor.values {
        case .double(let values):
            return .tensor(try Tensor(shape: tensor.shape, values: .double(values.map { SystemPlatform.log($0) })))
        case .float(let values):
            return .tensor(try Tensor(shape: tensor.shape, values: .float(values.map { SystemPlatform.logf($0) })))
        default:
            throw Self.notNumbers
        }
    }

    private static let notNumbers = ModelBundleError(
        .flavorUnavailable,
        "the classifier's predict_proba did not answer numbers, so predict_log_proba cannot take their logarithm",
        item: "predict_log_proba"
    )
}
