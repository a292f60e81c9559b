import ModelBundle
import ModelRuntime

/// A native model behind a preprocessing stage: the stage turns the enforced frame into the dense
/// float64 matrix [rows, features] and the model predicts on it as on a 2-D tensor input. Any
/// native flavor can be wrapped this way. A linear model reads one-hot blocks folded into its
/// coefficients instead (``OneHotFold``).
struct PreprocessedModel: FlavorModel {
    let stage: PreprocessingStage
    let model: any FlavorModel

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        let output = try stage.features(request.input, firstRow: request.rowOffset)
        if let linear = model as? any LinearFoldable, let fold = try OneHotFold(output) {
            return try linear.predict(fold, request)
        }
        let values = try PreprocessingStage.denseMatrix(output)
        let features = try Tensor(shape: [output.rows, stage.outputWidth], values: .double(values))
        return try model.predict(
            EnforcedRequest(input: .tensor(features), params: request.params, rowOffset: request.rowOffset)
        )
    }
}
