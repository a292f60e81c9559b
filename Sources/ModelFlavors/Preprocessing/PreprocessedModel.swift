import ModelBundle
import ModelRuntime

/// A native model behind a preprocessing stage: the stage turns the enforced frame into the dense
/// float64 matrix [rows, features] and the model predicts on it as on a 2-D tensor input. Any
/// native flavor can be wrapped this way.
struct PreprocessedModel: FlavorModel {
    let stage: PreprocessingStage
    let model: any FlavorModel

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        let (values, rows) = try stage.transform(request.input)
        let features = try Tensor(shape: [rows, stage.outputWidth], values: .double(values))
        return try model.predict(EnforcedRequest(input: .tensor(features), params: request.params))
    }
}
