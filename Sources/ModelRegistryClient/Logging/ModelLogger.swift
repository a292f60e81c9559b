package import ModelBundle
import NIOHTTP1
import SystemPlatform

/// `mbundle log`: puts a bundle into an MLflow tracking server the way MLflow 3.17.2's
/// `log_model(…, registered_model_name=…)` does (`mlflow/models/model.py::Model.log`,
/// `tracking/_model_registry/fluent.py`), with these REST calls:
///
/// 1. `GET experiments/get-by-name`, else `POST experiments/create`;
/// 2. `POST runs/create` (tags `mlflow.runName`, `mlflow.source.name`, `mlflow.source.type`, `mbundle.*`);
/// 3. `POST logged-models` (name, `source_run_id`, tags) → the model id and its `artifact_uri`;
/// 4. `PUT /api/2.0/mlflow-artifacts/artifacts/<artifact_uri path>/<file>` for every file of the bundle;
/// 5. `PATCH logged-models/<id>` (`LOGGED_MODEL_READY`) and `POST runs/outputs` (the run → model link);
/// 6. with a registered name: `POST registered-models/create` (an existing one is reused),
///    `POST model-versions/create` (`source: models:/<id>`, `run_id`, `model_id`) and, with an alias,
///    `POST registered-models/alias`;
/// 7. `POST runs/update` (`FINISHED`, or `FAILED` when a step fails).
///
/// The files are uploaded byte for byte, so `checksums.sha256` and its signature stay valid (MLflow's
/// own `log_model` rewrites `MLmodel` with the run and model ids; we record those as tags instead).
package struct ModelLogger: Sendable {
    package struct Request: Sendable {
        package var experiment: String
        package var runName: String?
        package var modelName = "model"
        package var registeredName: String?
        package var alias: String?

        package init(experiment: String, runName: String? = nil, registeredName: String? = nil, alias: String? = nil) {
            self.experiment = experiment
            self.runName = runName
            self.registeredName = registeredName
            self.alias = alias
        }
    }

    package struct Result: Sendable {
        package var experimentID: String
        package var runID: String
        package var modelID: String
        package var registeredVersion: String?
    }

    package let server: TrackingServer
    package let limits: ArtifactLimits

    package init(server: TrackingServer, limits: ArtifactLimits = ArtifactLimits()) {
        self.server = server
        self.limits = limits
    }

    /// Logs `bundle` (already validated by ``BundleReader``); `version` is the writer's version tag.
    package func log(_ bundle: OpenedBundle, _ request: Request, version: String) throws(ModelBundleError) -> Result {
        let verification = try BundleReader(path: bundle.directory.path).verify()
        try verification.requireClean(bundle.directory.path)
        let listing = try bundle.directory.listFiles()
        let http = try TrackingHTTPClient(server: server)
        defer { http.shutdown() }
        let subject = "experiment \(request.experiment)"
        let experimentID = try experiment(request.experiment, http: http, subject: subject)
        let signed = bundle.directory.containsFile(try BundlePath(BundleSignature.fileName))
        var runTags: [(String, String)] = [
            ("mlflow.source.name", "mbundle"), ("mlflow.source.type", "LOCAL"),
            ("mbundle.version", version), ("mbundle.signed", signed ? "true" : "false"),
        ]
        if let runName = request.runName { runTags.append(("mlflow.runName", runName)) }
        if let user = ProcessEnvironment.user { runTags.append(("mlflow.user", user)) }
        var body: [(String, JSONValue)] = [
            ("experiment_id", .string(experimentID)), ("start_time", .integer(Self.nowMilliseconds())),
            ("tags", Self.tags(runTags)),
        ]
        if let runName = request.runName { body.append(("run_name", .string(runName))) }
        let run = try http.sendJSON(.POST, "mlflow/runs/create", .object(body), subject: subject)
        let runID = try run.requiredString("run", "info", "run_id", subject: subject)
        do {
            let result = try logModel(bundle, listing.files, request, experimentID, runID, signed, version, http)
            try finish(runID, status: "FINISHED", http: http)
            return result
        } catch {
            try? finish(runID, status: "FAILED", http: http)
            throw error
        }
    }

    private func logModel(
        _ bundle: OpenedBundle,
        _ files: [BundlePath],
        _ request: Request,
        _ experimentID: String,
        _ runID: String,
        _ signed: Bool,
        _ version: String,
        _ http: TrackingHTTPClient
    ) throws(ModelBundleError) -> Result {
        let subject = "runs:/\(runID)/\(request.modelName)"
        var modelTags: [(String, String)] = [
            ("mbundle.version", version), ("mbundle.signed", signed ? "true" : "false"),
        ]
        if bundle.directory.containsFile(try BundlePath(ChecksumManifest.fileName)) {
            let checksums = try bundle.directory.sha256(of: try BundlePath(ChecksumManifest.fileName))
            modelTags.append(("mbundle.checksums_sha256", ChecksumManifest.hex(checksums)))
        }
        let created = try http.sendJSON(
            .POST,
            "mlflow/logged-models",
            .object([
                ("experiment_id", .string(experimentID)), ("name", .string(request.modelName)),
                ("source_run_id", .string(runID)), ("tags", Self.tags(modelTags)),
            ]),
            subject: subject
        )
        let modelID = try created.requiredString("model", "info", "model_id", subject: subject)
        let location = try created.requiredString("model", "info", "artifact_uri", subject: subject)
        let directory = try ArtifactProxy.proxyPath(of: location, subject: subject)
        let proxy = ArtifactProxy(http: http, limits: limits)
        for file in files {
            let bytes = try bundle.directory.read(file, limit: limits.maximumFileBytes)
            try proxy.upload(directory, file, bytes: bytes, subject: subject)
        }
        _ = try http.sendJSON(
            .PATCH,
            "mlflow/logged-models/" + URLEncoding.encode(modelID),
            .object([("model_id", .string(modelID)), ("status", .string("LOGGED_MODEL_READY"))]),
            subject: subject
        )
        _ = try http.sendJSON(
            .POST,
            "mlflow/runs/outputs",
            .object([
                ("run_id", .string(runID)),
                ("models", .array([.object([("model_id", .string(modelID)), ("step", .integer(0))])])),
            ]),
            subject: subject
        )
        var result = Result(experimentID: experimentID, runID: runID, modelID: modelID)
        if let name = request.registeredName {
            result.registeredVersion = try register(
                name,
                modelID: modelID,
                runID: runID,
                alias: request.alias,
                http: http
            )
        }
        return result
    }

    private func register(
        _ name: String,
        modelID: String,
        runID: String,
        alias: String?,
        http: TrackingHTTPClient
    ) throws(ModelBundleError) -> String {
        let subject = "registered model \(name)"
        let create = try http.send(
            .POST,
            "/api/2.0/mlflow/registered-models/create",
            body: JSONWriter().bytes(.object([("name", .string(name))])),
            limit: TrackingHTTPClient.jsonLimit,
            subject: subject
        )
        // An existing registered model is reused, as mlflow.register_model does.
        let existing =
            (try? JSONParser(maximumDepth: 8).parse(create.body))?["error_code"]?.stringValue
            == "RESOURCE_ALREADY_EXISTS"
        if !existing { try http.check(create, subject: subject) }
        let version = try http.sendJSON(
            .POST,
            "mlflow/model-versions/create",
            .object([
                ("name", .string(name)), ("source", .string("models:/\(modelID)")), ("run_id", .string(runID)),
                ("model_id", .string(modelID)),
            ]),
            subject: subject
        )
        let number = try version.requiredString("model_version", "version", subject: subject)
        if let alias {
            _ = try http.sendJSON(
                .POST,
                "mlflow/registered-models/alias",
                .object([("name", .string(name)), ("alias", .string(alias)), ("version", .string(number))]),
                subject: "models:/\(name)@\(alias)"
            )
        }
        return number
    }

    private func experiment(_ name: String, http: TrackingHTTPClient, subject: String) throws(ModelBundleError)
        -> String
    {
        do {
            let found = try http.getJSON(
                "mlflow/experiments/get-by-name",
                [("experiment_name", name)],
                subject: subject
            )
            return try found.requiredString("experiment", "experiment_id", subject: subject)
        } catch  where error.code == .fileMissing {
            let created = try http.sendJSON(
                .POST,
                "mlflow/experiments/create",
                .object([("name", .string(name))]),
                subject: subject
            )
            return try created.requiredString("experiment_id", subject: subject)
        }
    }

    private func finish(_ runID: String, status: String, http: TrackingHTTPClient) throws(ModelBundleError) {
        _ = try http.sendJSON(
            .POST,
            "mlflow/runs/update",
            .object([
                ("run_id", .string(runID)), ("status", .string(status)), ("end_time", .integer(Self.nowMilliseconds())),
            ]),
            subject: "runs:/\(runID)"
        )
    }

    static func tags(_ pairs: [(String, String)]) -> JSONValue {
        .array(pairs.map { .object([("key", .string($0.0)), ("value", .string($0.1))]) })
    }

    static func nowMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// The few process facts `log` records.
enum ProcessEnvironment {
    static var user: String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
