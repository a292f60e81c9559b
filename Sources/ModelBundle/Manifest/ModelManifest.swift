/// The `MLmodel` file: every top-level key MLflow 1.x–3.x writes, typed where the runtime needs
/// it, with the whole document kept so that unknown keys are written back unchanged.
///
/// The typed properties read and write ``document``; nothing is stored twice. Keys are written
/// sorted at every level, as MLflow's `Model.save` does.
public struct ModelManifest: Sendable, Equatable {
    /// The file's name inside a bundle.
    public static let fileName = "MLmodel"
    /// The largest `MLmodel` accepted (2 MiB; MLflow's own are a few KiB, wide signatures tens of KiB).
    public static let maximumSize = 2 << 20

    /// The whole document, in order, including keys this build does not know.
    public var document: ManifestMap

    /// A manifest with the given document.
    public init(document: ManifestMap) {
        self.document = document
    }

    /// A new manifest as MLflow's `Model()` starts one: a creation time, a fresh `model_uuid`, and
    /// the given flavors.
    public init(flavors: [(String, ManifestMap)], now: ManifestClock.Instant = ManifestClock.now()) {
        var document = ManifestMap()
        document["flavors"] = .map(ManifestMap(flavors.map { ($0.0, ManifestValue.map($0.1)) }))
        document["model_uuid"] = .string(ManifestClock.newModelUUID())
        document["utc_time_created"] = .string(ManifestClock.utcTimeCreated(now))
        self.document = document
    }

    /// Parses and validates an `MLmodel` document.
    ///
    /// - Throws: ``ModelBundleError`` with ``ModelBundleError/Code/manifestTooLarge`` or
    ///   ``ModelBundleError/Code/manifestInvalid`` naming the field at fault.
    public init(parsing bytes: [UInt8]) throws(ModelBundleError) {
        guard bytes.count <= Self.maximumSize else {
            throw ModelBundleError(
                .manifestTooLarge,
                "\(Self.fileName) is \(bytes.count) bytes, more than the \(Self.maximumSize) bytes accepted",
                item: Self.fileName
            )
        }
        let root = try YAMLDocumentReader(fileName: Self.fileName).read(bytes)
        guard let document = root.map else {
            throw ModelBundleError(
                .manifestInvalid,
                "\(Self.fileName) must be a YAML mapping of keys to values, not \(root.kindName)",
                item: Self.fileName
            )
        }
        self.document = document
        try validateShapes()
    }

    /// The document as YAML text, in MLflow's layout.
    public var yamlText: String {
        YAMLDocumentWriter.text(of: .map(document))
    }

    // MARK: - Flavors

    /// The flavor names, in document order.
    public var flavorNames: [String] { document["flavors"]?.map?.keys ?? [] }

    /// One flavor's configuration.
    public func flavor(_ name: String) -> ManifestMap? { document["flavors"]?.map?[name]?.map }

    /// Adds or replaces one flavor's configuration.
    public mutating func setFlavor(_ name: String, _ configuration: ManifestMap) {
        var flavors = document["flavors"]?.map ?? ManifestMap()
        flavors[name] = .map(configuration)
        document["flavors"] = .map(flavors)
    }

    /// The `python_function` flavor, typed.
    package var pythonFunction: PythonFunctionFlavor? {
        flavor(PythonFunctionFlavor.name).map(PythonFunctionFlavor.init(configuration:))
    }

    /// The `sklearn` flavor, typed.
    package var sklearn: SklearnFlavor? {
        flavor(SklearnFlavor.name).map(SklearnFlavor.init(configuration:))
    }

    // MARK: - Top-level fields (spec §1.3)

    /// `artifact_path`: run-relative path (2.x) or artifact URI (3.x); absent for `save_model`.
    public var artifactPath: String? {
        get { document["artifact_path"]?.text }
        set { document["artifact_path"] = newValue.map(ManifestValue.string) }
    }

    /// `run_id`, when the model was logged to a run.
    public var runID: String? {
        get { document["run_id"]?.text }
        set { document["run_id"] = newValue.map(ManifestValue.string) }
    }

    /// `model_id` (3.x): `null` for `save_model`, `m-<hex>` for logged models.
    public var modelID: String? {
        get { document["model_id"]?.text }
        set { document["model_id"] = .optionalString(newValue) }
    }

    /// `model_uuid`: 32 lowercase hex digits (or the `model_id` for 3.x logged models).
    public var modelUUID: String? {
        get { document["model_uuid"]?.text }
        set { document["model_uuid"] = newValue.map(ManifestValue.string) }
    }

    /// `mlflow_version`: the MLflow version that wrote the file; absent in old files.
    public var mlflowVersion: String? {
        get { document["mlflow_version"]?.text }
        set { document["mlflow_version"] = newValue.map(ManifestValue.string) }
    }

    /// `utc_time_created`, kept as the exact text (see ``ManifestClock/utcTimeCreated(_:)``).
    public var utcTimeCreated: String? {
        get { document["utc_time_created"]?.text }
        set { document["utc_time_created"] = newValue.map(ManifestValue.string) }
    }

    /// `model_size_bytes`: the payload's size, computed before the manifests are written.
    public var modelSizeBytes: Int? {
        get { document["model_size_bytes"]?.int }
        set { document["model_size_bytes"] = newValue.map(ManifestValue.int) }
    }

    /// `databricks_runtime`, only when saved inside Databricks.
    public var databricksRuntime: String? { document["databricks_runtime"]?.text }

    /// The `signature` block's three JSON strings (any may be absent or null).
    package var signatureBlock: SignatureBlock? {
        get {
            guard let map = document["signature"]?.map else { return nil }
            return SignatureBlock(
                inputs: map["inputs"]?.text,
                outputs: map["outputs"]?.text,
                params: map["params"]?.text
            )
        }
        set {
            guard let newValue else {
                document["signature"] = nil
                return
            }
            document["signature"] = .map(
                ManifestMap([
                    ("inputs", .optionalString(newValue.inputs)),
                    ("outputs", .optionalString(newValue.outputs)),
                    ("params", .optionalString(newValue.params)),
                ])
            )
            // MLflow 3.x writes both flags whenever a signature is present.
            if document["is_signature_from_type_hint"] == nil { document["is_signature_from_type_hint"] = .bool(false) }
            if document["type_hint_from_example"] == nil { document["type_hint_from_example"] = .bool(false) }
        }
    }

    /// `is_signature_from_type_hint` (3.x).
    public var isSignatureFromTypeHint: Bool? { document["is_signature_from_type_hint"]?.bool }

    /// `type_hint_from_example` (3.x).
    public var typeHintFromExample: Bool? { document["type_hint_from_example"]?.bool }

    /// `saved_input_example_info`, as the key/value pairs MLflow writes (all strings).
    public var savedInputExampleFields: [(String, String)]? {
        get {
            guard let map = document["saved_input_example_info"]?.map else { return nil }
            return map.entries.compactMap { entry in entry.value.text.map { (entry.key, $0) } }
        }
        set {
            document["saved_input_example_info"] = newValue.map { fields in
                .map(ManifestMap(fields.map { ($0.0, ManifestValue.string($0.1)) }))
            }
        }
    }

    /// `metadata`: free-form user data.
    public var metadata: ManifestMap? {
        get { document["metadata"]?.map }
        set { document["metadata"] = newValue.map(ManifestValue.map) }
    }

    /// Whether `metadata["mlflow.model_is_external"]` is true (MLflow refuses to load such models).
    public var isExternal: Bool { metadata?["mlflow.model_is_external"]?.bool == true }

    // MARK: - Paths

    /// Every file or directory path the manifest names, with the field that names it, so a reader
    /// can check each exists and stays inside the bundle.
    package var referencedPaths: [ReferencedPath] {
        var result: [ReferencedPath] = []
        for flavorName in flavorNames {
            guard let configuration = flavor(flavorName) else { continue }
            for (key, kind) in ReferencedPath.flavorPathKeys {
                if let value = configuration[key]?.text {
                    result.append(ReferencedPath(field: "flavors.\(flavorName).\(key)", path: value, kind: kind))
                }
            }
            if let env = configuration["env"] {
                if let legacy = env.text {
                    result.append(ReferencedPath(field: "flavors.\(flavorName).env", path: legacy, kind: .file))
                } else if let files = env.map {
                    for (key, value) in files {
                        if let text = value.text {
                            result.append(
                                ReferencedPath(field: "flavors.\(flavorName).env.\(key)", path: text, kind: .file)
                            )
                        }
                    }
                }
            }
            if let artifacts = configuration["artifacts"]?.map {
                for (name, artifact) in artifacts {
                    if let path = artifact.map?["path"]?.text {
                        result.append(
                            ReferencedPath(
                                field: "flavors.\(flavorName).artifacts.\(name).path",
                                path: path,
                                kind: .fileOrDirectory
                            )
                        )
                    }
                }
            }
        }
        if let info = document["saved_input_example_info"]?.map {
            for key in ["artifact_path", "serving_input_path"] {
                if let path = info[key]?.text {
                    result.append(ReferencedPath(field: "saved_input_example_info.\(key)", path: path, kind: .file))
                }
            }
        }
        return result
    }

    // MARK: - Validation

    /// Checks the shapes of the keys whose meaning MLflow fixes, naming the first field at fault.
    private func validateShapes() throws(ModelBundleError) {
        guard let flavors = document["flavors"] else {
            throw field("flavors", "is missing; an MLmodel needs at least one flavor")
        }
        guard let flavorMap = flavors.map, !flavorMap.isEmpty else {
            throw field("flavors", "must be a non-empty mapping of flavor names to configurations")
        }
        for (name, configuration) in flavorMap where configuration.map == nil {
            throw field("flavors.\(name)", "must be a mapping, not \(configuration.kindName)")
        }
        if let signature = document["signature"], !signature.isNull {
            guard let map = signature.map else {
                throw field("signature", "must be a mapping with inputs, outputs and params")
            }
            for (key, value) in map where !value.isNull && value.text == nil {
                throw field("signature.\(key)", "must be a JSON string or null")
            }
        }
        if let size = document["model_size_bytes"], !size.isNull, size.int == nil {
            throw field("model_size_bytes", "must be an integer")
        }
        if let info = document["saved_input_example_info"], !info.isNull {
            guard let map = info.map else { throw field("saved_input_example_info", "must be a mapping") }
            for (key, value) in map where value.text == nil && !value.isNull {
                throw field("saved_input_example_info.\(key)", "must be a string")
            }
        }
        if let metadata = document["metadata"], !metadata.isNull, metadata.map == nil {
            throw field("metadata", "must be a mapping")
        }
        for key in ["utc_time_created", "mlflow_version", "model_uuid", "run_id", "artifact_path"] {
            if let value = document[key], value.text == nil, !value.isNull {
                throw field(key, "must be a string")
            }
        }
    }

    private func field(_ name: String, _ problem: String) -> ModelBundleError {
        ModelBundleError(.manifestInvalid, "\(Self.fileName) field \(name) \(problem)", item: name)
    }
}

/// The `signature` block of `MLmodel`: three JSON strings, each optional.
package struct SignatureBlock: Sendable, Hashable {
    public var inputs: String?
    public var outputs: String?
    public var params: String?

    public init(inputs: String?, outputs: String?, params: String?) {
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
    }
}

/// A path named by a manifest field.
package struct ReferencedPath: Sendable, Hashable {
    /// What the path must be.
    public enum Kind: Sendable, Hashable {
        case file
        case directory
        case fileOrDirectory
    }

    /// The manifest field, e.g. `flavors.sklearn.pickled_model`.
    public var field: String
    /// The path as written.
    public var path: String
    /// What must exist there.
    public var kind: Kind

    /// Flavor keys that hold paths, in any flavor (MLflow's own flavors and ours).
    static let flavorPathKeys: [(String, Kind)] = [
        ("data", .fileOrDirectory), ("model_path", .file), ("pickled_model", .file), ("python_model", .file),
        ("model_code_path", .file), ("weights", .file), ("code", .directory),
    ]
}
