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
        let output = try stage.features(request.input, firstRow: request.rowOffset, envelope: request.envelope)
        if let linear = model as? any LinearFoldable {
            try Self.requireFinite(output)
            if let fold = try OneHotFold(output) { return try linear.predict(fold, request) }
        }
        let values = try PreprocessingStage.denseMatrix(output)
        let features = try Tensor(shape: [output.rows, stage.outputWidth], values: .double(values))
        return try model.predict(
            EnforcedRequest(input: .tensor(features), params: request.params, rowOffset: request.rowOffset)
        )
    }

    /// scikit-learn's linear models validate their input with `check_array`, which refuses NaN and
    /// infinity, whichever step produced them (a passthrough column, an identity or log
    /// FunctionTransformer, a whitened projection that overflowed): refused here naming the row and the
    /// feature, never predicted as NaN or a label.
    static func requireFinite(_ output: PreprocessingBlock) throws(ModelBundleError) {
        for (index, column) in output.columns.enumerated() {
            guard let values = column.numberValues, let row = values.firstIndex(where: { !$0.isFinite }) else {
                continue
            }
            let value = values[row]
            let shown = value.isNaN ? "NaN" : (value < 0 ? "-infinity" : "infinity")
            throw ModelBundleError(
                .schemaMismatch,
                "row \(output.firstRow + row) feature '\(output.names[index])': the preprocessing produced \(shown), "
                    + "which the linear model refuses (scikit-learn: Input X contains "
                    + (value.isNaN ? "NaN)" : "infinity or a value too large for dtype('float64'))"),
                item: output.names[index]
            )
        }
    }
}
