import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelBundle
import ModelServer
import NIOCore
import Synchronization
import Testing

/// Limits, timeouts, metrics, several models and reloading.
@Suite("Server operations")
struct OperationsTests {
    @Test("A body over the limit is 413 with MLflow's error shape")
    func bodyLimit() async throws {
        let app = try ServerFixtures.server(configuration: ServerConfiguration(maxBodyBytes: 64)).application()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            #expect(response.status == .contentTooLarge)
            #expect(try ServerFixtures.parse(response.body)["error_code"]?.stringValue == "REQUEST_LIMIT_EXCEEDED")
        }
    }

    @Test("Past the timeout the answer is MLflow's 504 text")
    func timeout() async throws {
        let server = try ServerFixtures.server(
            configuration: ServerConfiguration(requestTimeout: .milliseconds(50)),
            loader: ServerFixtures.slowLoader(milliseconds: 400)
        )
        try await server.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            #expect(response.status == .gatewayTimeout)
            #expect(String(buffer: response.body) == "Request processing time exceeded limit")
        }
    }

    @Test("Beyond the in-flight limit requests are shed with 503 and Retry-After; /ping still answers")
    func shedding() async throws {
        let finished = SlowModel.Finished()
        let server = try ServerFixtures.server(
            configuration: ServerConfiguration(maxInFlight: 1, predictionThreads: 1),
            loader: ServerFixtures.slowLoader(milliseconds: 2000, finished: finished)
        )
        try await server.application().test(.router) { client in
            async let slow = client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            try await Task.sleep(for: .milliseconds(100))
            // The prediction holds its thread for 2 s; /ping answers before it ends.
            let ping = try await client.execute(uri: "/ping", method: .get)
            #expect(ping.status == .ok)
            #expect(!finished.value)
            let shed = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            #expect(shed.status == .serviceUnavailable)
            #expect(shed.headers[.retryAfter] == "1")
            #expect(try await slow.status == .ok)
        }
    }

    @Test("/metrics counts requests by route and status, rows, and describes the models")
    func metrics() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/ping", method: .get)
            _ = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains(#"mbundle_http_requests_total{route="/ping",method="GET",status="200"} 1"#))
            #expect(text.contains(#"mbundle_rows_predicted_total{model="iris"} 3"#))
            #expect(text.contains("mbundle_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"mbundle_model_info{model="iris""#))
            #expect(text.contains("mbundle_model_load_seconds"))
            #expect(text.contains("mbundle_http_requests_in_flight"))
        }
    }

    @Test("/openapi.json is JSON describing both protocols")
    func openAPI() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let document = try ServerFixtures.parse(try await client.execute(uri: "/openapi.json", method: .get).body)
            let paths = document["paths"]?.objectValue?.keys ?? []
            for path in ["/ping", "/invocations", "/v2", "/v2/models/{model_name}/infer", "/metrics"] {
                #expect(paths.contains(path))
            }
        }
    }

    @Test("Several models: MLflow's routes serve the first, V2 each by name")
    func severalModels() async throws {
        let app = try ServerFixtures.server([("iris", "iris_multinomial_proba"), ("t", "tensor_ndarray")]).application()
        try await app.test(.router) { client in
            let mlflow = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            #expect(
                ServerFixtures.close(
                    ServerFixtures.matrix(try ServerFixtures.parse(mlflow.body)["predictions"]),
                    ServerFixtures.irisExpected
                )
            )
            #expect(try await client.execute(uri: "/v2/models/t", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v2/models/iris", method: .get).status == .ok)
        }
    }

    @Test("A failed reload keeps the old models; a good one swaps them all")
    func reload() throws {
        let failing = Atomic<Bool>(false)
        let server = try ServerFixtures.server(
            [("iris", "iris_multinomial_proba"), ("t", "tensor_ndarray")],
            loader: { (spec) throws(ModelBundleError) in
                if failing.load(ordering: .relaxed) && spec.name == "t" {
                    throw ModelBundleError(.fileMissing, "gone", item: spec.location)
                }
                return try ServerFixtures.loader(spec)
            }
        )
        failing.store(true, ordering: .relaxed)
        #expect(server.reloadModels() == false)
        failing.store(false, ordering: .relaxed)
        #expect(server.reloadModels() == true)
    }

    @Test("Two models may not share a name")
    func duplicateNames() throws {
        #expect(throws: ModelBundleError.self) {
            _ = try ServerFixtures.server([("a", "iris_multinomial_proba"), ("a", "tensor_ndarray")])
        }
    }

    @Test("-m arguments: NAME=MODEL, or a name from the file name")
    func modelSpecs() throws {
        #expect(try ModelSpec(argument: "iris=/m/b") == ModelSpec(name: "iris", location: "/m/b"))
        #expect(
            try ModelSpec(argument: "/models/iris.tar.gz") == ModelSpec(name: "iris", location: "/models/iris.tar.gz")
        )
        #expect(try ModelSpec(argument: "/mnt/models/") == ModelSpec(name: "models", location: "/mnt/models/"))
        #expect(try ModelSpec(argument: "./a=b/c").location == "./a=b/c")
        #expect(throws: ModelBundleError.self) { try ModelSpec(argument: "x=") }
    }
}
