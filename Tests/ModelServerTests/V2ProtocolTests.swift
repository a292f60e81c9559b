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
