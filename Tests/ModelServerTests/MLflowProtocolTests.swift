import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelBundle
import ModelServer
import NIOCore
import Testing

/// MLflow's scoring protocol, route by route, against the answers of MLflow 3.17.2's scoring server
/// (`mlflow/pyfunc/scoring_server/__init__.py`) and the predictions MLflow made for the fixtures.
@Suite("MLflow scoring protocol")
struct MLflowProtocolTests {
    @Test("/ping and /health answer a newline declared as JSON; HEAD has no body")
    func ping() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            for path in ["/ping", "/health"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "\n")
                #expect(response.headers[.contentType] == "application/json")
            }
            let head = try await client.execute(uri: "/ping", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test("/version answers MLflow's version as bare text")
    func version() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/version", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "3.17.2")
        }
    }

    @Test(
        "/invocations: every JSON orientation and CSV give MLflow's predictions",
        arguments: [
            ("application/json", ServerFixtures.irisSplit),
            (
                "application/json",
                #"{"dataframe_records": [{"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}, {"sepal length (cm)": 5.0, "sepal width (cm)": 2.0, "petal length (cm)": 3.5, "petal width (cm)": 1.0}, {"sepal length (cm)": 6.9, "sepal width (cm)": 3.2, "petal length (cm)": 5.7, "petal width (cm)": 2.3}]}"#
            ),
            (
                "application/json",
                #"{"instances": [{"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}, {"sepal length (cm)": 5.0, "sepal width (cm)": 2.0, "petal length (cm)": 3.5, "petal width (cm)": 1.0}, {"sepal length (cm)": 6.9, "sepal width (cm)": 3.2, "petal length (cm)": 5.7, "petal width (cm)": 2.3}]}"#
            ),
            (
                "application/json; charset=UTF-8",
                #"{"inputs": {"sepal length (cm)": [5.1, 5.0, 6.9], "sepal width (cm)": [3.5, 2.0, 3.2], "petal length (cm)": [1.4, 3.5, 5.7], "petal width (cm)": [0.2, 1.0, 2.3]}}"#
            ),
            (
                "text/csv",
                "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,0.2\n5.0,2.0,3.5,1.0\n6.9,3.2,5.7,2.3\n"
            ),
        ]
    )
    func invocations(contentType: String, body: String) async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers(contentType),
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let document = try ServerFixtures.parse(response.body)
            #expect(ServerFixtures.close(ServerFixtures.matrix(document["predictions"]), ServerFixtures.irisExpected))
        }
    }

    @Test("/invocations on a tensor signature gives MLflow's predictions")
    func tensorSignature() async throws {
        let app = try ServerFixtures.server([("t", "tensor_ndarray")]).application()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json"),
                body: ByteBuffer(string: #"{"inputs": [[0.034, 1.36, 1.225, -0.51], [-0.298, -0.527, 0.57, -0.056]]}"#)
            )
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"predictions": [0, 0]}"#)
        }
    }

    @Test(
        "Content-Type rules: 415 with MLflow's text, a bare 500 without the header",
        arguments: [
            (
                "Application/JSON",
                415,
                "This predictor only supports the following content types: Types: ['text/csv', 'application/json', "
                    + "'application/vnd.apache.parquet']. Got 'Application/JSON'."
            ),
            ("application/json; charset=latin-1", 415, "The scoring server only supports UTF-8"),
            (
                "text/plain", 415,
                "This predictor only supports the following content types: Types: ['text/csv', 'application/json', 'application/vnd.apache.parquet']. Got 'text/plain'."
            ),
        ]
    )
    func contentTypes(contentType: String, status: Int, text: String) async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers(contentType),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            #expect(Int(response.status.code) == status)
            #expect(String(buffer: response.body) == text)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
        }
    }

    @Test("A content-type parameter other than charset is refused with MLflow's text")
    func unknownParameter() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers("application/json; format=pandas-split"),
                body: ByteBuffer(string: ServerFixtures.irisSplit)
            )
            #expect(response.status.code == 415)
            #expect(
                String(buffer: response.body).hasPrefix(
                    "Unrecognized content type parameters: format. IMPORTANT: The MLflow Model scoring protocol has changed"
                )
            )
            let missing = try await client.execute(uri: "/invocations", method: .post, body: ByteBuffer(string: "{}"))
            #expect(missing.status.code == 500)
            #expect(String(buffer: missing.body) == "Internal Server Error")
        }
    }

    @Test(
        "Rejected input: MLflow's status and error_code, a message naming the problem",
        arguments: [
            ("application/json", "{not json", "BAD_REQUEST"),
            ("application/json", "[1, 2]", "BAD_REQUEST"),
            (
                "application/json", #"{"dataframe_split": {"columns": ["a"], "data": [[1]]}, "inputs": [1]}"#,
                "BAD_REQUEST"
            ),
            (
                "application/json", #"{"dataframe_split": {"columns": ["sepal length (cm)"], "data": [[1.0]]}}"#,
                "INVALID_PARAMETER_VALUE"
            ),
            (
                // MLflow's read_csv with the schema's dtypes fails on the cell: a parse error.
                "text/csv", "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,x,1.4,0.2\n",
                "BAD_REQUEST"
            ),
        ]
    )
    func rejected(contentType: String, body: String, errorCode: String) async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers(contentType),
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .badRequest)
            let document = try ServerFixtures.parse(response.body)
            #expect(document["error_code"]?.stringValue == errorCode)
            let message = document["message"]?.stringValue ?? ""
            #expect(!message.isEmpty)
        }
    }

    @Test("Unknown paths are 404 and known paths with another method 405, with Starlette's bodies")
    func routing() async throws {
        let app = try ServerFixtures.server().application()
        try await app.test(.router) { client in
            let missing = try await client.execute(uri: "/predict", method: .get)
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body) == #"{"detail":"Not Found"}"#)
            let wrong = try await client.execute(uri: "/invocations", method: .get)
            #expect(wrong.status == .methodNotAllowed)
            #expect(String(buffer: wrong.body) == #"{"detail":"Method Not Allowed"}"#)
            #expect(wrong.headers[.allow] == "POST")
            let post = try await client.execute(uri: "/ping", method: .post)
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET, HEAD")
            let slash = try await client.execute(uri: "/ping/", method: .get)
            #expect(slash.status == .temporaryRedirect)
            #expect(slash.headers[.location]?.hasSuffix("/ping") == true)
        }
    }
}
