import ModelBundle
import ModelRuntime

/// The server's only way into the prediction use case, which the runtime owns
/// (`LoadedModel.predict(body:format:params:sniffing:)`: decode → enforce → predict → encode, and
/// `PredictionError` with MLflow's status and `error_code`). Nothing else in the server decodes an
/// MLflow body, enforces a schema or writes predictions.
enum PredictionPath {
    /// What `/invocations` was given (MLflow 3.17's three `Content-Type`s, and Arrow IPC streams).
    enum BodyFormat: Sendable, Hashable {
        case json
        case csv
        case parquet
        case arrow
    }

    /// Encoded `{"predictions": …}` and the number of rows predicted.
    struct Encoded: Sendable {
        var body: [UInt8]
        var rows: Int
    }

    /// One `/invocations` body: MLflow's document (or the predictions as `output` asks) or MLflow's
    /// error.
    static func invocations(
        model: LoadedModel,
        body: [UInt8],
        format: BodyFormat,
        output: PredictionFormat = .json
    ) -> Result<Encoded, MLflowError> {
        let requestFormat: RequestFormat
        switch format {
        case .json: requestFormat = .json
        case .csv: requestFormat = .csv
        case .parquet: requestFormat = .parquet
        case .arrow: requestFormat = .arrow
        }
        do throws(PredictionError) {
            // The declared type decides, as in MLflow's scoring server: Parquet bytes sent as JSON
            // are malformed JSON, not a Parquet request.
            if output != .json {
                let encoded = try model.predictEncoded(
                    body: body,
                    format: requestFormat,
                    params: nil,
                    sniffing: false,
                    output: output
                )
                return .success(Encoded(body: encoded.bytes, rows: encoded.rows))
            }
            let document = try model.predict(body: body, format: requestFormat, sniffing: false)
            return .success(Encoded(body: document, rows: PredictionRows.count(document)))
        } catch {
            return .failure(
                MLflowError(
                    status: error.httpStatus,
                    errorCode: error.mlflowErrorCode,
                    message: error.description,
                    errorClass: error.isSchemaEnforcementFailure ? "SCHEMA_ENFORCEMENT_FAILED" : nil
                )
            )
        }
    }

    /// A request already decoded by a protocol codec (V2 infer): enforce and predict.
    static func predict(model: LoadedModel, request: DecodedRequest) throws(ModelBundleError) -> PredictionOutput {
        try model.predict(request)
    }
}

/// Rows in an encoded `{"predictions": [...]}` document, for `mbundle_rows_predicted_total`: the
/// elements of the top-level `predictions` array, counted by one scan that skips strings.
enum PredictionRows {
    static func count(_ document: [UInt8]) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        var rows = 0
        var sawElement = false
        for byte in document {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                if depth == 2 { sawElement = true }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if depth == 2 { sawElement = true }
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 2 && sawElement { rows += 1 }
                depth -= 1
                if depth == 1 { return rows }
            case UInt8(ascii: ","):
                if depth == 2 {
                    rows += 1
                    sawElement = false
                }
            case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ":"):
                break
            default:
                if depth == 2 { sawElement = true }
            }
        }
        return rows
    }
}
