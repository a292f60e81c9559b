import ModelBundle
import NIOHTTP1

/// Turns a model URI into the artifact-proxy directory holding the model, with the REST calls
/// MLflow 3.17.2's client makes (`models_artifact_repo.py`, `runs_artifact_repo.py`,
/// `store/artifact/utils/models.py`):
///
/// | URI | calls |
/// |---|---|
/// | `models:/NAME/VERSION` | `GET /api/2.0/mlflow/model-versions/get-download-uri?name=&version=` |
/// | `models:/NAME@ALIAS` | `GET /api/2.0/mlflow/registered-models/alias?name=&alias=`, then as above |
/// | `models:/NAME/STAGE`, `models:/NAME/latest` | `POST /api/2.0/mlflow/registered-models/get-latest-versions` (`stages`: the stage, or none), the highest version it lists, then as above |
/// | `models:/MODEL_ID` | `GET /api/2.0/mlflow/logged-models/MODEL_ID` (`model.info.artifact_uri`) |
/// | `runs:/RUN/NAME[/SUB]` | `GET /api/2.0/mlflow/runs/get?run_id=`; `POST /api/2.0/mlflow/logged-models/search` for a logged model `NAME` of that run (MLflow 3 `log_model`), else the run's `artifact_uri` + path |
/// | `mlflow-artifacts:/PATH` | none |
///
/// MLflow merges a run's own artifacts with its logged model's under `runs:/`; here the logged
/// model wins outright when one matches (a model directory is one or the other in practice).
struct ModelResolver {
    let http: TrackingHTTPClient

    /// Where an immutable model lives.
    struct Location {
        /// The artifact-proxy path of the model directory.
        var directory: String
        /// The immutable URI the location was found for (an alias becomes `models:/NAME/VERSION`).
        var canonicalURI: String
    }

    /// The version a mutable URI (an alias, a stage or `latest`) names now; `nil` for the other URIs.
    func currentVersion(of uri: ModelURI) throws(ModelBundleError) -> String? {
        switch uri.kind {
        case .modelAlias(let name, let alias): try version(ofAlias: alias, model: name, subject: uri.text)
        case .modelStage(let name, let stage): try latestVersion(of: name, stage: stage, subject: uri.text)
        case .modelVersion, .loggedModel, .run, .artifacts: nil
        }
    }

    private func version(ofAlias alias: String, model name: String, subject: String) throws(ModelBundleError) -> String
    {
        let answer = try http.getJSON(
            "mlflow/registered-models/alias",
            [("name", name), ("alias", alias)],
            subject: subject
        )
        return try answer.requiredString("model_version", "version", subject: subject)
    }

    /// As MLflow's `_get_latest_model_version`: the highest of the versions the server lists (the
    /// newest of each stage, or of the one asked for).
    private func latestVersion(of name: String, stage: String?, subject: String) throws(ModelBundleError) -> String {
        var body: [(String, JSONValue)] = [("name", .string(name))]
        if let stage { body.append(("stages", .array([.string(stage)]))) }
        let answer = try http.sendJSON(
            .POST,
            "mlflow/registered-models/get-latest-versions",
            .object(body),
            subject: subject
        )
        let versions = (answer["model_versions"]?.arrayValue ?? []).compactMap { $0["version"]?.stringValue }
        guard let latest = versions.compactMap({ Int($0) }).max() else {
            throw ModelBundleError(
                .fileMissing,
                "\(subject): no versions of model with name '\(name)'"
                    + (stage.map { " and stage '\($0)'" } ?? "") + " found on \(http.server.displayURI)",
                item: subject
            )
        }
        return String(latest)
    }

    /// Resolves a URI (a mutable one through the version it names now).
    func locate(_ uri: ModelURI) throws(ModelBundleError) -> Location {
        let subject = uri.text
        switch uri.kind {
        case .modelVersion(let name, let version):
            let answer = try http.getJSON(
                "mlflow/model-versions/get-download-uri",
                [("name", name), ("version", version)],
                subject: subject
            )
            let location = try answer.requiredString("artifact_uri", subject: subject)
            return Location(
                directory: try ArtifactProxy.proxyPath(of: location, subject: subject),
                canonicalURI: "models:/\(name)/\(version)"
            )
        case .modelAlias(let name, let alias):
            return try locate(ModelURI("models:/\(name)/\(try version(ofAlias: alias, model: name, subject: subject))"))
        case .modelStage(let name, let stage):
            return try locate(
                ModelURI("models:/\(name)/\(try latestVersion(of: name, stage: stage, subject: subject))")
            )
        case .loggedModel(let id):
            let location = try loggedModelLocation(id, subject: subject)
            return Location(directory: location, canonicalURI: "models:/\(id)")
        case .run(let id, let path):
            return Location(directory: try runLocation(id, path, subject: subject), canonicalURI: "runs:/\(id)/\(path)")
        case .artifacts(let path):
            return Location(directory: path, canonicalURI: "mlflow-artifacts:/\(path)")
        }
    }

    private func loggedModelLocation(_ id: String, subject: String) throws(ModelBundleError) -> String {
        let answer = try http.getJSON("mlflow/logged-models/" + URLEncoding.encode(id), [], subject: subject)
        let location = try answer.requiredString("model", "info", "artifact_uri", subject: subject)
        return try ArtifactProxy.proxyPath(of: location, subject: subject)
    }

    private func runLocation(_ runID: String, _ path: String, subject: String) throws(ModelBundleError) -> String {
        let run = try http.getJSON("mlflow/runs/get", [("run_id", runID)], subject: subject)
        let experiment = try run.requiredString("run", "info", "experiment_id", subject: subject)
        let runArtifacts = try run.requiredString("run", "info", "artifact_uri", subject: subject)
        let parts = path.split(separator: "/", maxSplits: 1)
        let name = String(parts[0])
        // MLflow's filter language quotes with single quotes; a name holding one cannot be a
        // logged model name we can search for safely, so only run artifacts are considered.
        if !name.contains("'") {
            var token: String?
            var pages = 0
            repeat {
                var body: [(String, JSONValue)] = [
                    ("experiment_ids", .array([.string(experiment)])),
                    ("filter", .string("name = '\(name)'")),
                    ("max_results", .integer(100)),
                ]
                if let token { body.append(("page_token", .string(token))) }
                let page = try http.sendJSON(.POST, "mlflow/logged-models/search", .object(body), subject: subject)
                for model in page["models"]?.arrayValue ?? []
                where model["info"]?["source_run_id"]?.stringValue == runID {
                    let location = try model.requiredString("info", "artifact_uri", subject: subject)
                    let directory = try ArtifactProxy.proxyPath(of: location, subject: subject)
                    return parts.count > 1 ? directory + "/" + String(parts[1]) : directory
                }
                token = page["next_page_token"]?.stringValue
                pages += 1
            } while token?.isEmpty == false && pages < 50
        }
        return try ArtifactProxy.proxyPath(of: runArtifacts, subject: subject) + "/" + path
    }
}
