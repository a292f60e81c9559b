import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelBundle
import ModelServer
import NIOCore
import Testing

/// The Open Inference Protocol routes, with MLServer's MLflow-runtime mapping of signatures.
@Suite("Open Inference Protocol (V2)")
struct V2ProtocolTests {
    @Test("Server metadata, liveness and readiness")
    func server() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let metadata = try ServerFixtures.parse(try await client.execute(uri: "/v2", method: .get).body)
            #expect(metadata["name"]?.stringValue == "mbundle")
            #expect(metadata["extensions"]?.arrayValue == [.string("binary_tensor_data")])
            let live = try await client.execute(uri: "/v2/health/live", method: .get)
            #expect(live.status == .ok)
            #expect(String(buffer: live.body) == #"{"live": true}"#)
            let ready = try await client.execute(uri: "/v2/health/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body) == #"{"ready": true}"#)
        }
    }

    @Test("A column signature becomes one FP64 input per column of shape [-1, 1] and the pd content type")
    func columnMetadata() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v2/models/iris", method: .get)
            #expect(response.status == .ok)
            let document = try ServerFixtures.parse(response.body)
            #expect(document["name"]?.stringValue == "iris")
            let inputs = document["inputs"]?.arrayValue ?? []
            #expect(inputs.compactMap { $0["name"]?.stringValue } == ServerFixtures.irisColumns)
            #expect(inputs.allSatisfy { $0["datatype"]?.stringValue == "FP64" })
            #expect(inputs.allSatisfy { $0["shape"] == .array([.integer(-1), .integer(1)]) })
            #expect(document["parameters"]?["content_type"]?.stringValue == "pd")
            let outputs = document["outputs"]?.arrayValue ?? []
            #expect(outputs.count == 1)
            #expect(outputs.first?["name"]?.stringValue == "output-0")
            #expect(outputs.first?["shape"] == .array([.integer(-1), .integer(3)]))
            // The version is the bundle's model_uuid.
            let version = document["versions"]?.arrayValue?.first?.stringValue ?? ""
            #expect(version == "1ce05c5e67ca46d89a4b7794e4032a97" || version.count == 32)
            let versioned = try await client.execute(uri: "/v2/models/iris/versions/\(version)", method: .get)
            #expect(versioned.status == .ok)
            let ready = try await client.execute(uri: "/v2/models/iris/versions/\(version)/ready", method: .get)
            #expect(String(buffer: ready.body) == #"{"name": "iris", "ready": true}"#)
        }
    }

    @Test("Unknown models and versions are 404 with {\"error\": …}")
    func notFound() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let missing = try await client.execute(uri: "/v2/models/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body) == #"{"error": "Model nope not found"}"#)
            let version = try await client.execute(
                uri: "/v2/models/iris/versions/9/infer",
                method: .post,
                body: ByteBuffer(string: "{}")
            )
            #expect(version.status == .notFound)
            #expect(String(buffer: version.body) == #"{"error": "Model iris with version 9 not found"}"#)
        }
    }

    @Test("Infer with one input per column gives MLflow's predictions")
    func inferColumns() async throws {
        let app = try ServerFixtures.server().application()
        let inputs = ServerFixtures.irisColumns.enumerated().map { index, name in
            let column = ServerFixtures.irisRows.map { String($0[index]) }.joined(separator: ", ")
            return #"{"name": "\#(name)", "shape": [3, 1], "datatype": "FP64", "data": [\#(column)]}"#
        }
        let body = #"{"id": "r1", "inputs": [\#(inputs.joined(separator: ", "))]}"#
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v2/models/iris/infer",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .ok)
            let document = try ServerFixtures.parse(response.body)
            #expect(document["model_name"]?.stringValue == "iris")
            #expect(document["id"]?.stringValue == "r1")
            let output = document["outputs"]?.arrayValue?.first
            #expect(output?["name"]?.stringValue == "output-0")
            #expect(output?["datatype"]?.stringValue == "FP64")
            #expect(output?["shape"] == .array([.integer(3), .integer(3)]))
            let flat = ServerFixtures.matrix(output?["data"])?.flatMap { $0 } ?? []
            #expect(ServerFixtures.close([flat], [ServerFixtures.irisExpected.flatMap { $0 }]))
        }
    }

    @Test("Infer on a tensor signature (np) gives MLflow's predictions as INT64")
    func inferTensor() async throws {
        let app = try ServerFixtures.server([("t", "tensor_ndarray")]).application()
        let body =
            #"{"inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP64", "data": [[0.034, 1.36, 1.225, -0.51], [-0.298, -0.527, 0.57, -0.056]]}]}"#
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v2/models/t/infer",
                method: .post,
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .ok)
            let output = try ServerFixtures.parse(response.body)["outputs"]?.arrayValue?.first
            #expect(output?["datatype"]?.stringValue == "INT64")
            #expect(output?["data"] == .array([.integer(0), .integer(0)]))
            #expect(output?["shape"] == .array([.integer(2)]))
        }
    }

    /// MLflow's answers to the same rows through `/invocations` (Tests/Fixtures/unsigned/expected.json).
    static func unsignedExpectation(_ bundle: String, _ request: String) throws -> JSONValue {
        let url = URL(fileURLWithPath: ServerFixtures.root).deletingLastPathComponent()
            .appendingPathComponent("unsigned/expected.json")
        let document = try JSONParser().parse(Array(try Data(contentsOf: url)))
        return try #require(document[bundle]?[request]?["predictions"])
    }

    static func infer(_ app: some ApplicationProtocol, model: String, body: [UInt8], headerLength: Int? = nil)
        async throws -> (HTTPResponse.Status, JSONValue)
    {
        let (status, _, bytes) = try await V2BinaryDataTests.infer(
            app,
            model: model,
            body: body,
            headerLength: headerLength,
            contentType: "application/json"
        )
        return (status, try JSONParser().parse(bytes))
    }

    /// A missing value reaches the model as it does through `/invocations` (MLServer's
    /// `np.array(data, dtype=float64)` makes a JSON null NaN): a null in JSON data, or NaN in binary
    /// data, which has no null; an integral float in INT64 data is the integer.
    @Test("Missing values and integral floats are taken as /invocations takes them")
    func missingValues() async throws {
        let bundles = URL(fileURLWithPath: ServerFixtures.root).deletingLastPathComponent()
            .appendingPathComponent("unsigned")
        let app = try ServerFixtures.server([
            ("xgb", bundles.appendingPathComponent("xgb_booster_frame").path),
            ("pipeline", bundles.appendingPathComponent("signed_pipeline").path),
        ]).application()
        let wanted = try Self.unsignedExpectation("xgb_booster_frame", "split_column_some_null")
        let json =
            #"{"inputs": [{"name": "a", "shape": [2, 1], "datatype": "FP64", "data": [null, 0.3]}, "#
            + #"{"name": "b", "shape": [2, 1], "datatype": "FP64", "data": [1.0, 2.0]}, "#
            + #"{"name": "c", "shape": [2, 1], "datatype": "FP64", "data": [1.0, 0.0]}]}"#
        let (status, document) = try await Self.infer(app, model: "xgb", body: Array(json.utf8))
        #expect(status == .ok, "\(document)")
        let output = document["outputs"]?.arrayValue?.first
        #expect(output?["data"] == wanted, "\(document)")

        let header =
            #"{"inputs": [{"name": "a", "shape": [2, 1], "datatype": "FP64", "parameters": {"binary_data_size": 16}}, "#
            + #"{"name": "b", "shape": [2, 1], "datatype": "FP64", "data": [1.0, 2.0]}, "#
            + #"{"name": "c", "shape": [2, 1], "datatype": "FP64", "data": [1.0, 0.0]}]}"#
        let binary = Array(header.utf8) + V2BinaryDataTests.littleEndian([.nan, 0.3])
        let (binaryStatus, binaryDocument) = try await Self.infer(
            app,
            model: "xgb",
            body: binary,
            headerLength: header.utf8.count
        )
        #expect(binaryStatus == .ok, "\(binaryDocument)")
        #expect(binaryDocument["outputs"]?.arrayValue?.first?["data"] == wanted, "\(binaryDocument)")

        // The CSV rows "1,30.0,True,lyon" and "2,,False,nice", with the long column as floats.
        let rows =
            #"{"inputs": [{"name": "pclass", "shape": [2, 1], "datatype": "INT64", "data": [1.0, 2.0]}, "#
            + #"{"name": "age", "shape": [2, 1], "datatype": "FP64", "data": [30.0, null]}, "#
            + #"{"name": "flag", "shape": [2, 1], "datatype": "BOOL", "data": [true, false]}, "#
            + #"{"name": "city", "shape": [2, 1], "datatype": "BYTES", "data": ["lyon", "nice"]}]}"#
        let (pipelineStatus, pipeline) = try await Self.infer(app, model: "pipeline", body: Array(rows.utf8))
        #expect(pipelineStatus == .ok, "\(pipeline)")
        #expect(
            pipeline["outputs"]?.arrayValue?.first?["data"]
                == (try Self.unsignedExpectation("signed_pipeline", "csv")),
            "\(pipeline)"
        )
        let fraction = rows.replacingOccurrences(of: "[1.0, 2.0]", with: "[1.5, 2.0]")
        let (fractionStatus, _) = try await Self.infer(app, model: "pipeline", body: Array(fraction.utf8))
        #expect(fractionStatus == .badRequest)
        // A NaN literal against a signature is refused as in `/invocations` (policy #7), and its
        // message's advice now works.
        let literal = rows.replacingOccurrences(of: "[30.0, null]", with: "[30.0, NaN]")
        let (refused, message) = try await Self.infer(app, model: "pipeline", body: Array(literal.utf8))
        #expect(refused == .badRequest, "\(message)")
        #expect(message["error"]?.stringValue?.contains("send null") == true, "\(message)")
    }

    @Test(
        "Bad infer requests are 400 with {\"error\": …}",
        arguments: [
            "not json",
            #"{"inputs": []}"#,
            #"{"inputs": [{"name": "x", "shape": [2], "datatype": "FP64", "data": [1.0]}]}"#,
            #"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP65", "data": [1.0]}]}"#,
            #"{"inputs": [{"name": "x", "shape": [1], "datatype": "INT8", "data": [300]}]}"#,
            #"{"inputs": [{"name": "sepal length (cm)", "shape": [1], "datatype": "FP64", "data": [1.0]}]}"#,
        ]
    )
    func badInfer(body: String) async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v2/models/iris/infer",
                method: .post,
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .badRequest)
            let document = try ServerFixtures.parse(response.body)
            let message = document["error"]?.stringValue ?? ""
            #expect(!message.isEmpty)
        }
    }
}
