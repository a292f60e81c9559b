import Hummingbird
import ModelBundle
import NIOPosix

/// MLflow's scoring protocol: `/ping`, `/health`, `/version`, `/invocations`, answering as
/// `mlflow/pyfunc/scoring_server/__init__.py` (3.17.2) answers.
extension ServerResponder {
    /// `/ping` and `/health`: `"\n"` declared as JSON, 404 when no model is loaded.
    func ping() -> Response {
        Replies.bytes(core.store.generation?.first == nil ? 404 : 200, [0x0A], contentType: Replies.jsonType)
    }

    /// `/version`: the MLflow version string, declared as JSON though it is not.
    func version() -> Response {
        Replies.bytes(200, Array(ServerCore.mlflowVersion.utf8), contentType: Replies.jsonType)
    }

    /// `/invocations` on the first model: content-type rules first, then the body, then prediction
    /// on the prediction threads.
    func invocations(_ request: Request, outcome: inout Outcome) async -> Response {
        let format: PredictionPath.BodyFormat
        switch ContentTypeRule.judge(request.headers[values: .contentType].first) {
        case .missing: return Replies.text(500, "Internal Server Error")
        case .unsupported(let text): return Replies.text(415, text)
        case .accepted(let accepted): format = accepted
        }
        guard let served = core.store.generation?.first else {
            return Replies.mlflow(
                MLflowError(status: 503, errorCode: "TEMPORARILY_UNAVAILABLE", message: "No model is loaded.")
            )
        }
        outcome.model = served.name
        let body: [UInt8]
        switch await readBody(request, outcome: &outcome) {
        case .success(let bytes): body = bytes
        case .failure(let tooLarge):
            return Replies.mlflow(
                MLflowError(status: 413, errorCode: "REQUEST_LIMIT_EXCEEDED", message: tooLarge.message)
            )
        }
        let model = served.model
        let accepted = request.headers[values: .accept]
        let output = AcceptRule.output(accepted.isEmpty ? nil : accepted.joined(separator: ","))
        let result: Result<PredictionPath.Encoded, MLflowError>
        do {
            result = try await core.pool.runIfActive {
                PredictionPath.invocations(model: model, body: body, format: format, output: output)
            }
        } catch {
            return Replies.mlflow(
                MLflowError(status: 503, errorCode: "TEMPORARILY_UNAVAILABLE", message: "The server is shutting down.")
            )
        }
        switch result {
        case .success(let encoded):
            outcome.rows = encoded.rows
            core.metrics.rowsPredicted(model: served.name, rows: encoded.rows)
            return Replies.bytes(200, encoded.body, contentType: AcceptRule.contentType(output))
        case .failure(let error):
            outcome.errorCode = error.errorCode
            return Replies.mlflow(error)
        }
    }
}
