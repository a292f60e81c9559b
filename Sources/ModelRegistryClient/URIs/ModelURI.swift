package import ModelBundle

/// A model URI MLflow accepts, parsed as MLflow 3.17.2 parses it
/// (`mlflow/store/artifact/utils/models.py::_parse_model_uri`, `runs_artifact_repo.py::parse_runs_uri`).
package struct ModelURI: Sendable, Equatable {
    /// What the URI names.
    package enum Kind: Sendable, Equatable {
        /// `models:/NAME/VERSION`: one registered model version (immutable).
        case modelVersion(name: String, version: String)
        /// `models:/NAME@ALIAS`: whatever version the alias points at now (re-resolved on every use).
        case modelAlias(name: String, alias: String)
        /// `models:/NAME/STAGE` (`stage`, any case) or `models:/NAME/latest` (`stage` nil): the newest
        /// version in that stage, or of all versions (re-resolved on every use, like an alias).
        case modelStage(name: String, stage: String?)
        /// `models:/MODEL_ID`: an MLflow 3 logged model (immutable).
        case loggedModel(id: String)
        /// `runs:/RUN_ID/PATH`: a run's artifact directory, or the logged model of that name from the run.
        case run(id: String, path: String)
        /// `mlflow-artifacts:/PATH`: a path in the tracking server's artifact proxy.
        case artifacts(path: String)
    }

    /// What the URI names.
    package let kind: Kind

    /// Whether a string is a URI this client resolves (the other strings are local paths).
    package static func isRemote(_ text: String) -> Bool {
        ["models:", "runs:", "mlflow-artifacts:"].contains { text.hasPrefix($0) }
    }

    /// The URI as written.
    package let text: String

    /// Parses `text`.
    ///
    /// - Throws: ``ModelBundleError/Code/fileMissing`` with MLflow's wording for a malformed URI.
    package init(_ text: String) throws(ModelBundleError) {
        self.text = text
        if text.hasPrefix("models:") {
            kind = try Self.parseModels(text)
        } else if text.hasPrefix("runs:") {
            kind = try Self.parseRuns(text)
        } else if text.hasPrefix("mlflow-artifacts:") {
            var path = String(text.dropFirst("mlflow-artifacts:".count))
            if path.hasPrefix("//") {
                // mlflow-artifacts://host:port/path names a server; only the configured one is used.
                throw ModelBundleError(
                    .fileMissing,
                    "\(text): give mlflow-artifacts:/PATH; the server is MLFLOW_TRACKING_URI",
                    item: text
                )
            }
            while path.hasPrefix("/") { path.removeFirst() }
            guard !path.isEmpty else {
                throw ModelBundleError(.fileMissing, "\(text) names no artifact path", item: text)
            }
            try Self.checkSegments(path, in: text)
            kind = .artifacts(path: path)
        } else {
            throw ModelBundleError(
                .fileMissing,
                "\(text) is not a models:/, runs:/ or mlflow-artifacts:/ URI",
                item: text
            )
        }
    }

    /// Whether the same URI always names the same bytes, so a cached copy can be used offline.
    package var isImmutable: Bool { registeredName == nil }

    /// The registered model a mutable URI (an alias, a stage or `latest`) names a version of.
    package var registeredName: String? {
        switch kind {
        case .modelAlias(let name, _), .modelStage(let name, _): name
        case .modelVersion, .loggedModel, .run, .artifacts: nil
        }
    }

    // MARK: - Parsing

    private static func parseModels(_ text: String) throws(ModelBundleError) -> Kind {
        let improper = ModelBundleError(
            .fileMissing,
            "Not a proper models:/ URI: \(text). Models URIs must be of the form 'models:/name/version', "
                + "'models:/name/stage', 'models:/name/latest', 'models:/name@alias' or 'models:/model_id'",
            item: text
        )
        let path = text.dropFirst("models:".count)
        // models://profile@databricks/... names another registry; not supported here.
        guard path.hasPrefix("/"), !path.hasPrefix("//"), path.count > 1 else { throw improper }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let first = parts.first, !first.trimmed.isEmpty else { throw improper }
        if parts.count == 2 {
            let suffix = parts[1]
            guard !suffix.trimmed.isEmpty else { throw improper }
            if suffix.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                return .modelVersion(name: first, version: suffix)
            }
            // As MLflow: "latest" in any case, else any other word is a stage, which the server
            // matches without case (and refuses when it is not None, Staging, Production or Archived).
            return .modelStage(name: first, stage: suffix.lowercased() == "latest" ? nil : suffix)
        }
        if let at = first.lastIndex(of: "@") {
            let name = String(first[..<at])
            let alias = String(first[first.index(after: at)...])
            guard !name.isEmpty, !alias.trimmed.isEmpty else { throw improper }
            return .modelAlias(name: name, alias: alias)
        }
        return .loggedModel(id: first)
    }

    private static func parseRuns(_ text: String) throws(ModelBundleError) -> Kind {
        let improper = ModelBundleError(
            .fileMissing,
            "Not a proper runs:/ URI: \(text). Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'",
            item: text
        )
        let path = text.dropFirst("runs:".count)
        guard path.hasPrefix("/"), !path.hasPrefix("//"), path.count > 1 else { throw improper }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard let run = parts.first, !run.isEmpty else { throw improper }
        var rest = parts.dropFirst().joined(separator: "/")
        while rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.isEmpty else {
            throw ModelBundleError(
                .fileMissing,
                "\(text) names a whole run; name the model's artifact path, e.g. runs:/\(run)/model",
                item: text
            )
        }
        try checkSegments(rest, in: text)
        return .run(id: String(run), path: rest)
    }

    /// Refuses `..`, `.` and empty segments, which could address something outside the named place.
    private static func checkSegments(_ path: String, in text: String) throws(ModelBundleError) {
        for segment in path.split(separator: "/", omittingEmptySubsequences: false)
        where segment.isEmpty || segment == "." || segment == ".." {
            throw ModelBundleError(.unsafePath, "\(text) has an empty, '.' or '..' path segment", item: text)
        }
    }
}

extension String {
    fileprivate var trimmed: Substring {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return view
    }
}
