import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import Testing

/// The runtime's request API driven the way an HTTP `/invocations` handler drives it: a body and a
/// `Content-Type` header in, a status, a content type and a body out. Predictions are MLflow's own
/// (Tests/Fixtures/mlflow/expected.json, from its scoring path on the same serving examples); error
/// codes and statuses are MLflow 3.17.2's (`ERROR_CODE_TO_HTTP_STATUS`, `_enforce_schema` failures
/// as `INVALID_PARAMETER_VALUE`, bad bodies and cells its parser cannot cast as `BAD_REQUEST`, media
/// types as 415 `text/plain`).
@Suite struct PredictionHandlerTests {
    static let mlflow = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mlflow")

    /// A minimal `/invocations` handler: everything but the mapping is the runtime's.
    struct Handler {
        let model: LoadedModel

        func handle(body: [UInt8], contentType: String) -> (status: Int, contentType: String, body: [UInt8]) {
            do {
                return (200, "application/json", try model.predict(body: body, contentType: contentType))
            } catch {
                return (error.httpStatus, error.httpContentType, error.httpBody)
            }
        }
    }

    static func handler(_ name: String) throws -> Handler {
        Handler(model: try ModelLoader(registry: .builtIn).load(modelPath: mlflow.appendingPathComponent(name).path))
    }

    static func expected(_ name: String) throws -> Any {
        let root = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: mlflow.appendingPathComponent("expected.json")))
                as? [String: Any]
        )
        let entry = try #require(root[name] as? [String: Any])
        return try #require((entry["predictions"] as? [String: Any])?["predictions"])
    }

    static func servingExample(_ name: String) throws -> [UInt8] {
        Array(
            try Data(
                contentsOf: mlflow.appendingPathComponent(name).appendingPathComponent("serving_input_example.json")
            )
        )
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func jsonWithCharsetGivesMLflowsPredictions() throws {
        let handler = try Self.handler("logreg_binary_skops")
        let labels = try #require(try Self.expected("logreg_binary_skops") as? [Int])
        let response = handler.handle(
            body: try Self.servingExample("logreg_binary_skops"),
            contentType: "application/json; charset=utf-8"
        )
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        // MLflow's json.dumps: ", " between items, ": " after the key.
        let text = "{\"predictions\": [" + labels.map(String.init).joined(separator: ", ") + "]}"
        #expect(String(decoding: response.body, as: UTF8.self) == text)
    }

    @Test func csvGivesTheSamePredictions() throws {
        let handler = try Self.handler("logreg_binary_skops")
        // The serving example's three rows, as CSV.
        let csv = "x1,x2,x3\n0.001,0.299,-0.274\n-0.891,-0.455,-0.992\n0.06,1.34,-0.492\n"
        let json = handler.handle(body: try Self.servingExample("logreg_binary_skops"), contentType: "application/json")
        let response = handler.handle(body: Array(csv.utf8), contentType: "text/csv")
        #expect(response.status == 200)
        #expect(response.body == json.body)
    }

    /// To 1e-12: scikit-learn's BLAS sums in another order than our kernels (as SklearnInteropFlavorTests).
    @Test func probabilitiesMatchMLflow() throws {
        let handler = try Self.handler("iris_multinomial_proba")
        let expected = try #require(try Self.expected("iris_multinomial_proba") as? [[Double]])
        let response = handler.handle(
            body: try Self.servingExample("iris_multinomial_proba"),
            contentType: "application/json"
        )
        #expect(response.status == 200)
        let predictions = try #require(try Self.object(response.body)["predictions"] as? [[Double]])
        #expect(predictions.count == expected.count)
        for (row, (actual, wanted)) in zip(predictions, expected).enumerated() {
            #expect(actual.count == wanted.count)
            for (a, b) in zip(actual, wanted) { #expect(abs(a - b) <= 1e-12, "row \(row): \(a) vs \(b)") }
        }
    }

    @Test func unsupportedMediaTypeIs415PlainText() throws {
        let handler = try Self.handler("logreg_binary_skops")
        let body = try Self.servingExample("logreg_binary_skops")
        let plain = handler.handle(body: body, contentType: "text/plain")
        #expect(plain.status == 415)
        #expect(plain.contentType.hasPrefix("text/plain"))
        #expect(
            String(decoding: plain.body, as: UTF8.self)
                == "This predictor only supports the following content types: Types: ['text/csv', "
                + "'application/json']. Got 'text/plain'."
        )
        let latin = handler.handle(body: body, contentType: "application/json; charset=latin-1")
        #expect(latin.status == 415)
        #expect(String(decoding: latin.body, as: UTF8.self) == "The scoring server only supports UTF-8")
    }

    /// A cell the column's type cannot hold fails in MLflow's parser (pandas' cast of the column to
    /// the signature's dtype: `MlflowFailedTypeConversion`), so MLflow answers `BAD_REQUEST`.
    @Test func aCellTheColumnCannotHoldIs400BadRequestWithItsPlace() throws {
        let handler = try Self.handler("logreg_binary_skops")
        let body = #"{"dataframe_split": {"columns": ["x1", "x2", "x3"], "data": [[1.0, 2.0, 3.0], [1.0, "a", 2.0]]}}"#
        let response = handler.handle(body: Array(body.utf8), contentType: "application/json")
        #expect(response.status == 400)
        #expect(response.contentType == "application/json")
        let error = try Self.object(response.body)
        #expect(error["error_code"] as? String == "BAD_REQUEST")
        let message = try #require(error["message"] as? String)
        #expect(message.hasPrefix("column 'x2' row 1"), "\(message)")
        #expect(Set(error.keys) == ["error_code", "message"])

        do {
            _ = try handler.model.predict(body: Array(body.utf8), format: .json)
            Issue.record("the violation was accepted")
        } catch {
            #expect(error.kind == .schemaMismatch)
            #expect(!error.isSchemaEnforcementFailure)
            #expect(error.location.column == "x2")
            #expect(error.location.row == 1)
            #expect(error.exitStatus == 1)
        }
    }

    /// A required column left out is what MLflow's `_enforce_schema` finds: `INVALID_PARAMETER_VALUE`.
    @Test func aMissingColumnIs400InvalidParameterValue() throws {
        let handler = try Self.handler("logreg_binary_skops")
        let body = #"{"dataframe_split": {"columns": ["x1", "x3"], "data": [[1.0, 3.0]]}}"#
        let response = handler.handle(body: Array(body.utf8), contentType: "application/json")
        #expect(response.status == 400)
        #expect(try Self.object(response.body)["error_code"] as? String == "INVALID_PARAMETER_VALUE")
        do {
            _ = try handler.model.predict(body: Array(body.utf8), format: .json)
            Issue.record("the violation was accepted")
        } catch {
            #expect(error.kind == .schemaMismatch)
            #expect(error.isSchemaEnforcementFailure)
            #expect(error.location.column == "x2")
            #expect(error.location.row == nil)
        }
    }

    @Test func malformedBodyIs400BadRequest() throws {
        let handler = try Self.handler("logreg_binary_skops")
        for body in [#"{"dataframe_split": "#, #"[1, 2]"#, #"{"inputs": [[1, 2, 3]], "instances": [[1, 2, 3]]}"#] {
            let response = handler.handle(body: Array(body.utf8), contentType: "application/json")
            #expect(response.status == 400, "\(body)")
            #expect(try Self.object(response.body)["error_code"] as? String == "BAD_REQUEST", "\(body)")
        }
        let csv = handler.handle(body: Array("x1,x2,x3\n1,\"2\n".utf8), contentType: "text/csv")
        #expect(csv.status == 400)
        #expect(try Self.object(csv.body)["error_code"] as? String == "BAD_REQUEST")
    }

    @Test func paramsOverrideTheBodys() throws {
        // As MLflow's _enforce_params_schema: params that are not an object are ignored by a model
        // without a params schema and refused by one with.
        let plain = try Self.handler("logreg_binary_skops")
        _ = try plain.model.predict(body: try Self.servingExample("logreg_binary_skops"), format: .json, params: "[1]")
        let handler = try Self.handler("params_all_types")
        let body = try Self.servingExample("params_all_types")
        do {
            _ = try handler.model.predict(body: body, format: .json, params: "[1]")
            Issue.record("a params list was accepted")
        } catch {
            #expect(error.kind == .invalidParams)
            #expect(error.httpStatus == 400)
            #expect(error.mlflowErrorCode == "INVALID_PARAMETER_VALUE")
        }
    }
}
