import ModelBundle
import ModelRegistryClient
import Testing

/// URI parsing against MLflow 3.17.2's `_parse_model_uri` / `parse_runs_uri` (the expected kinds
/// and refusals below are what those functions return or raise for the same strings).
@Suite struct ModelURITests {
    @Test(arguments: [
        ("models:/six/1", ModelURI.Kind.modelVersion(name: "six", version: "1")),
        ("models:/six@champion", .modelAlias(name: "six", alias: "champion")),
        ("models:/a@b@c", .modelAlias(name: "a@b", alias: "c")),
        ("models:/six/latest", .modelStage(name: "six", stage: nil)),
        ("models:/six/LATEST", .modelStage(name: "six", stage: nil)),
        ("models:/six/Production", .modelStage(name: "six", stage: "Production")),
        ("models:/six/staging", .modelStage(name: "six", stage: "staging")),
        ("models:/six/12x", .modelStage(name: "six", stage: "12x")),
        ("models:/m-0123456789abcdef", .loggedModel(id: "m-0123456789abcdef")),
        ("runs:/abc/model", .run(id: "abc", path: "model")),
        ("runs:/abc/model/sub/", .run(id: "abc", path: "model/sub")),
        ("mlflow-artifacts:/1/models/m-1/artifacts", .artifacts(path: "1/models/m-1/artifacts")),
    ])
    func parses(_ text: String, _ kind: ModelURI.Kind) throws {
        let uri = try ModelURI(text)
        #expect(uri.kind == kind)
        #expect(uri.text == text)
        #expect(ModelURI.isRemote(text))
    }

    @Test func onlyAliasesStagesAndLatestAreMutable() throws {
        #expect(try ModelURI("models:/six@champion").isImmutable == false)
        #expect(try ModelURI("models:/six/latest").isImmutable == false)
        #expect(try ModelURI("models:/six/Production").isImmutable == false)
        #expect(try ModelURI("models:/six/3").isImmutable)
        #expect(try ModelURI("runs:/r/model").isImmutable)
    }

    @Test(arguments: [
        "models:", "models:/", "models:/a/b/c", "models:/a/", "models:/ /1", "models:/a@", "models://p@databricks/a/1",
        "runs:/", "runs://x/model", "runs:/abc", "runs:/abc/", "runs:/abc/../x", "runs:/abc/a//b",
        "mlflow-artifacts:/", "mlflow-artifacts:/a/../b", "mlflow-artifacts://host/x",
    ])
    func refusesMalformedURIs(_ text: String) {
        #expect(throws: ModelBundleError.self) { try ModelURI(text) }
    }

    @Test func localPathsAreNotRemote() {
        #expect(!ModelURI.isRemote("/tmp/model"))
        #expect(!ModelURI.isRemote("model.tar.gz"))
        #expect(!ModelURI.isRemote("s3://bucket/model"))
    }
}

@Suite struct TrackingServerTests {
    @Test func basicWinsOverTokenAndNeitherIsShown() throws {
        let server = try TrackingServer(environment: [
            "MLFLOW_TRACKING_URI": "https://mlflow.example.com/base/",
            "MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": "hunter2",
            "MLFLOW_TRACKING_TOKEN": "tok",
        ])
        #expect(server.baseURL == "https://mlflow.example.com/base")
        #expect(server.hasCredentials)
        #expect(!server.displayURI.contains("hunter2") && !server.displayURI.contains("alice"))
    }

    @Test(arguments: [
        [:], ["MLFLOW_TRACKING_URI": "sqlite:///mlflow.db"], ["MLFLOW_TRACKING_URI": "https://user:pw@host"],
        [
            "MLFLOW_TRACKING_URI": "https://host", "MLFLOW_TRACKING_INSECURE_TLS": "true",
            "MLFLOW_TRACKING_SERVER_CERT_PATH": "/ca.pem",
        ],
    ])
    func refusesUnusableConfigurations(_ environment: [String: String]) throws {
        let error = #expect(throws: ModelBundleError.self) { try TrackingServer(environment: environment) }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.message.contains("pw") == false)
    }

    @Test func readsTLSAndRetrySettings() throws {
        let server = try TrackingServer(environment: [
            "MLFLOW_TRACKING_URI": "http://127.0.0.1:5000", "MLFLOW_TRACKING_INSECURE_TLS": "true",
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "5",
        ])
        #expect(server.insecureTLS)
        #expect(server.maximumRetries == 0)
        #expect(server.timeoutSeconds == 5)
        #expect(!server.hasCredentials)
    }
}
