import ModelBundle
import ModelRuntime

/// The server's only way into the prediction use case (decode → enforce → predict → encode).
///
/// The runtime API of the prediction-path issue replaces the body of this file; nothing else in
/// the server decodes a body, enforces a schema or writes predictions.
enum PredictionPath {
    /// What `/invocations` was given; Parquet is recognised so the columnar-data issue only has to
    /// fill in its case here.
    enum BodyFormat: Sendable, Hashable {
        case json
        case csv
        case parquet
    }

    /// Encoded `{"predictions": …}` and the number of rows predicted.
    struct Encoded: Sendable {
        var body: [UInt8]
        var rows: Int
    }

    /// One `/invocations` body: MLflow's document or MLflow's error.
    static func invocations(model: LoadedModel, body: [UInt8], format: BodyFormat) -> Result<Encoded, MLflowError> {
        let requestFormat: RequestFormat
        switch format {
        case .json: requestFormat = .json
        case .csv: requestFormat = .csv
        case .parquet:
            return .failure(
                .badRequest(
                    "Parquet request bodies are not supported by this build; send application/json or text/csv."
                )
            )
        }
        do {
            let request = try RequestDecoder(schema: model.requestSchema).decode(body, format: requestFormat)
            let output = try model.predict(request)
            return .success(Encoded(body: try PredictionWriter.json(output), rows: output.rowCount))
        } catch let error as ModelBundleError {
            return .failure(mlflowError(error))
        } catch {
            return .failure(.badRequest("Invalid input. \(error)"))
        }
    }

    /// A request already decoded by a protocol codec (V2 infer): enforce and predict.
    static func predict(model: LoadedModel, request: DecodedRequest) throws(ModelBundleError) -> PredictionOutput {
        try model.predict(request)
    }

    /// MLflow's error code for one of ours: data MLflow's decoder refuses is `BAD_REQUEST`; schema
    /// enforcement and params failures are `INVALID_PARAMETER_VALUE` (`_validate_prediction_input`).
    static func mlflowError(_ error: ModelBundleError) -> MLflowError {
        if error.code == .schemaMismatch {
            return MLflowError(
                status: 400,
                errorCode: "INVALID_PARAMETER_VALUE",
                message: error.description,
                errorClass: "SCHEMA_ENFORCEMENT_FAILED"
            )
        }
        if error.item == "params" {
            return MLflowError(status: 400, errorCode: "INVALID_PARAMETER_VALUE", message: error.description)
        }
        return .badRequest(error.description)
    }
}

extension PredictionOutput {
    /// Rows predicted: a frame's rows or a tensor's first dimension.
    var rowCount: Int {
        switch self {
        case .frame(let frame): frame.rowCount
        case .tensor(let tensor): tensor.shape.first ?? 1
        }
    }
}
